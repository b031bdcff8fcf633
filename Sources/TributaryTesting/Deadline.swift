import TributaryCore

/// A wait ran out of time. Its description names what was awaited and for how long.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `body`, failing loudly instead of hanging if it does not finish within `limit`.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withTimeout(limit, orThrow: DeadlineExceeded(description: "timed out after \(limit) waiting for \(what)"), body)
}
