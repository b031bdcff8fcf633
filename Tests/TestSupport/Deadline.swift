/// A test's bounded wait ran out.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `body`, failing loudly instead of hanging if it does not finish within `limit`.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(description: "timed out after \(limit) waiting for \(what)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
