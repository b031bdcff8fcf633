import Foundation

/// Trace headers as stored: NULL when there are none (every row of an untraced
/// deployment), otherwise a JSON object of strings.
///
/// Every task and every record save of one experiment carries the same headers, so the
/// last encoding and decoding are kept: a fan-out pays for one, not one per task.
package final class TraceHeaderCoding {
    package init() {}

    private var lastEncoded: (headers: [String: String], value: StoredValue)?
    private var lastDecoded: (bytes: [UInt8], headers: [String: String])?

    package func encode(_ headers: [String: String]) throws -> StoredValue {
        guard !headers.isEmpty else { return .null }
        if let lastEncoded, lastEncoded.headers == headers { return lastEncoded.value }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let value = StoredValue.blob(Array(try encoder.encode(headers)))
        lastEncoded = (headers, value)
        return value
    }

    package func decode(_ bytes: [UInt8]?) throws -> [String: String] {
        guard let bytes, !bytes.isEmpty else { return [:] }
        if let lastDecoded, lastDecoded.bytes == bytes { return lastDecoded.headers }
        let headers = try JSONDecoder().decode([String: String].self, from: Data(bytes))
        lastDecoded = (bytes, headers)
        return headers
    }
}
