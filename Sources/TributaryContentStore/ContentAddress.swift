/// The name of a blob in a ``ContentStore``: `sha256:` and the hex digest of its bytes. The
/// same bytes always get the same address, so storing twice is harmless and a reader can
/// check what it read.
public struct ContentAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 lowercase hex digits.
    public let digest: String

    public init(digest: String) throws(ContentStoreError) {
        guard digest.utf8.count == 64, digest.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw ContentStoreError(.invalidAddress, "'\(digest.prefix(80))' is not a SHA-256 hex digest")
        }
        self.digest = digest
    }

    /// Parses `sha256:<64 hex digits>`.
    public init(parsing text: String) throws(ContentStoreError) {
        guard text.hasPrefix(Self.scheme) else { throw ContentStoreError(.invalidAddress, "'\(text.prefix(80))' does not start with '\(Self.scheme)'") }
        try self.init(digest: String(text.dropFirst(Self.scheme.count)))
    }

    /// The address of `bytes`.
    public static func of(_ bytes: some Collection<UInt8>) -> ContentAddress {
        ContentAddress(unchecked: SHA256.hex(of: bytes))
    }

    init(unchecked digest: String) { self.digest = digest }

    public static let scheme = "sha256:"

    public var description: String { Self.scheme + digest }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
