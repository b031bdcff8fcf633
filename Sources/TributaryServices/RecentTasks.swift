import Synchronization

/// A ``RecentSet`` shared by an agent's concurrent task handlers.
final class RecentTasks: Sendable {
    private let set: Mutex<RecentSet>

    init(capacity: Int) { set = Mutex(RecentSet(capacity: capacity)) }

    func contains(_ key: String) -> Bool { set.withLock { $0.contains(key) } }
    func insert(_ key: String) { set.withLock { $0.insert(key) } }
}
