import Foundation

/// The one JSON dialect of the message contract: snake_case keys, sorted for
/// byte-for-byte determinism, ISO 8601 timestamps.
public enum MessageCoding {
    /// The schema version this build writes and the only one it reads.
    public static let schemaVersion = 1

    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try encoder().encode(value))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(ContractError) -> T {
        let data = Data(bytes)
        let value: T
        do {
            value = try decoder().decode(type, from: data)
        } catch {
            // Only now look at the version: a message from a newer producer is reported as
            // such, not as whatever field of ours it happened to lack.
            if let header = try? decoder().decode(VersionHeader.self, from: data), header.schemaVersion != schemaVersion {
                throw unsupported(header.schemaVersion)
            }
            if let error = error as? DecodingError { throw ContractError(.malformed, "invalid \(T.self): \(describe(error))") }
            throw ContractError(.malformed, "invalid \(T.self): \(error)")
        }
        if let message = value as? any VersionedMessage, message.schemaVersion != schemaVersion {
            throw unsupported(message.schemaVersion)
        }
        if let message = value as? any ValidatedMessage { try message.validate() }
        return value
    }

    /// Decodes a task result whose output is kept as raw bytes: the envelope is decoded and
    /// checked as usual, the `result` member is cut out of the message as it is. The
    /// orchestrator stores and forwards results without building or re-encoding their trees.
    public static func decodeResult(from bytes: [UInt8]) throws(ContractError) -> TaskResult<RawJSON> {
        if let result = ResultEnvelopeReader.read(bytes) {
            try result.validate()
            return result
        }
        return try decodeResultInGeneral(from: bytes)
    }

    /// The same through Foundation's decoder: any spelling JSON allows, and precise errors.
    static func decodeResultInGeneral(from bytes: [UInt8]) throws(ContractError) -> TaskResult<RawJSON> {
        var result = try decode(TaskResult<RawJSON>.self, from: bytes)
        if result.result != nil {
            guard let range = JSONMembers(bytes)?.value("result") else {
                throw ContractError(.malformed, "invalid TaskResult: the result member could not be delimited")
            }
            result.result = RawJSON(bytes: Array(bytes[range]))
        }
        return result
    }

    private static func unsupported(_ version: Int) -> ContractError {
        ContractError(.unsupportedSchemaVersion, "schema_version \(version) is not supported (this build reads \(schemaVersion))")
    }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// For files people read and diff (a run lock, an exported status): indented, keys
    /// sorted, ending in a newline.
    public static func encodePretty(_ value: some Encodable) throws -> [UInt8] {
        let encoder = encoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return Array(try encoder.encode(value)) + [0x0A]
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    private struct VersionHeader: Decodable {
        var schemaVersion: Int
    }

    /// A decoding error in the wire's terms: field names as they appear in the JSON
    /// (`experiment.framework.derived_metrics[0].formula`), not as Swift spells them.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = wirePath(context.codingPath)
            return path.isEmpty ? "top level" : path
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(wirePath(context.codingPath + [key]))'"
        case .typeMismatch(_, let context): return "wrong type at \(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "missing value at \(path(context))"
        case .dataCorrupted(let context): return "\(context.debugDescription) at \(path(context))"
        @unknown default: return "\(error)"
        }
    }

    static func wirePath(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += (path.isEmpty ? "" : ".") + wireName(key)
            }
        }
        return path
    }

    /// The name a key has on the wire. Declared keys (`CodingKeys`) are converted to
    /// snake_case by the encoder; dictionary keys (metadata, dimension names) are not.
    static func wireName(_ key: any CodingKey) -> String {
        String(describing: type(of: key)) == "CodingKeys" ? snakeCase(key.stringValue) : key.stringValue
    }

    /// `derivedMetrics` → `derived_metrics`, `experimentId` → `experiment_id`, as the encoder's
    /// `convertToSnakeCase` spells them.
    static func snakeCase(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(name)
        for (offset, character) in characters.enumerated() {
            let startsWord =
                character.isUppercase && !current.isEmpty
                && (characters[offset - 1].isLowercase || characters[offset - 1].isNumber
                    || (offset + 1 < characters.count && characters[offset + 1].isLowercase))
            if startsWord {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: "_")
    }
}
