/// Runs `operation`, throwing `error` if it has not finished within `limit`
/// (the operation is cancelled then). The one bounded wait of the package: the client's
/// timeouts and the tests' deadlines both use it.
package func withTimeout<T: Sendable>(
    _ limit: Duration, orThrow error: @autoclosure @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw error()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
