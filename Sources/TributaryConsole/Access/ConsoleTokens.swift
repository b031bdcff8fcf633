import Foundation
import TributaryContentStore
import Yams

/// What a token may do: look, or also act (cancel, retry, pause, resume).
public enum ConsoleRole: String, Sendable, Hashable, Codable, Comparable {
    case viewer
    case `operator`

    public static func < (a: ConsoleRole, b: ConsoleRole) -> Bool { a == .viewer && b == .`operator` }
}

/// Who made a request: the token's name (what the logs say, never the token) and its role.
public struct ConsolePrincipal: Sendable, Hashable {
    public var name: String
    public var role: ConsoleRole
}

/// The tokens file: each token's name, role and SHA-256, never the token itself, so the file
/// (a Kubernetes Secret, a mounted file) grants nothing to whoever reads it.
///
/// ```yaml
/// - name: alice
///   role: operator
///   sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
/// ```
public struct ConsoleTokens: Sendable {
    struct Entry: Sendable, Decodable {
        var name: String
        var role: ConsoleRole
        var sha256: String
    }

    private let byDigest: [String: ConsolePrincipal]

    public var count: Int { byDigest.count }

    public init(parsing text: String, file: String) throws(ConsoleConfigurationError) {
        let entries: [Entry]
        do {
            entries = try YAMLDecoder().decode([Entry].self, from: text)
        } catch {
            throw ConsoleConfigurationError("\(file): not a list of tokens (name, role: viewer | operator, sha256): \(error)")
        }
        var byDigest: [String: ConsolePrincipal] = [:]
        for (index, entry) in entries.enumerated() {
            let digest = entry.sha256.lowercased()
            guard digest.utf8.count == 64, digest.allSatisfy(\.isHexDigit) else {
                throw ConsoleConfigurationError(
                    "\(file): token \(index + 1) (\(entry.name)): sha256 must be 64 hex digits (tributary-console --hash-token makes it)")
            }
            guard !entry.name.isEmpty else { throw ConsoleConfigurationError("\(file): token \(index + 1) has no name") }
            guard byDigest[digest] == nil else { throw ConsoleConfigurationError("\(file): token \(index + 1) (\(entry.name)) repeats another's hash") }
            byDigest[digest] = ConsolePrincipal(name: entry.name, role: entry.role)
        }
        guard !byDigest.isEmpty else { throw ConsoleConfigurationError("\(file): lists no tokens") }
        self.byDigest = byDigest
    }

    public static func load(_ path: String) throws(ConsoleConfigurationError) -> ConsoleTokens {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConsoleConfigurationError("\(path): cannot read the tokens file")
        }
        return try ConsoleTokens(parsing: text, file: path)
    }

    /// The token's holder, or nil. The token is hashed first and the digest looked up, so the
    /// time taken says nothing about how close a guess came.
    public func principal(for token: String) -> ConsolePrincipal? {
        guard !token.isEmpty, token.utf8.count <= 4_096 else { return nil }
        return byDigest[Self.digest(of: token)]
    }

    /// What the tokens file holds for `token`.
    public static func digest(of token: String) -> String { SHA256.hex(of: Array(token.utf8)) }
}

/// A console setting that stops it from starting, with what to fix.
public struct ConsoleConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
