import Foundation

/// Trace headers as stored: NULL when there are none (most rows of an untraced
/// deployment), otherwise a JSON object of strings.
enum TraceHeaderCoding {
    static func encode(_ headers: [String: String]) throws -> SQLiteValue {
        guard !headers.isEmpty else { return .null }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return .blob(Array(try encoder.encode(headers)))
    }

    static func decode(_ bytes: [UInt8]?) throws -> [String: String] {
        guard let bytes, !bytes.isEmpty else { return [:] }
        return try JSONDecoder().decode([String: String].self, from: Data(bytes))
    }
}
