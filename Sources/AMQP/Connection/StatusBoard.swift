import Synchronization

/// Where the connection thread posts its status for other threads to read or follow.
final class StatusBoard: Sendable {
    private struct State: ~Copyable {
        var status = AMQPConnectionStatus()
        var followers: [Int: AsyncStream<AMQPConnectionStatus>.Continuation] = [:]
        var nextFollower = 0
    }

    private let state = Mutex(State())

    var current: AMQPConnectionStatus { state.withLock { $0.status } }

    func update(_ change: (inout AMQPConnectionStatus) -> Void) {
        let (status, followers) = state.withLock { state in
            change(&state.status)
            return (state.status, Array(state.followers.values))
        }
        for follower in followers { follower.yield(status) }
    }

    /// Every change from now on, starting with the current status.
    func follow() -> AsyncStream<AMQPConnectionStatus> {
        let (stream, continuation) = AsyncStream<AMQPConnectionStatus>.makeStream(bufferingPolicy: .bufferingNewest(16))
        let id = state.withLock { state in
            let id = state.nextFollower
            state.nextFollower += 1
            state.followers[id] = continuation
            continuation.yield(state.status)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every follower's stream: the connection is closed for good.
    func finish() {
        let followers = state.withLock { state in
            defer { state.followers.removeAll() }
            return Array(state.followers.values)
        }
        for follower in followers { follower.finish() }
    }
}
