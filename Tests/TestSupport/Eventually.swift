import TributaryTesting

/// Waits, bounded by `limit`, until `condition` holds, checking every `interval`. For states
/// no event announces (a queue's depth, a batch waiting for its retry); fails loudly on timeout.
package func eventually(
    within limit: Duration, _ what: String, every interval: Duration = .milliseconds(100),
    _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    try await withDeadline(limit, what) {
        while try await !condition() { try await Task.sleep(for: interval) }
    }
}
