import TributaryCore

/// A test's bounded wait ran out.
package struct DeadlineExceeded: Error, CustomStringConvertible {
    package var description: String
}

/// Runs `body`, failing loudly instead of hanging if it does not finish within `limit`.
package func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withTimeout(limit, orThrow: DeadlineExceeded(description: "timed out after \(limit) waiting for \(what)"), body)
}
