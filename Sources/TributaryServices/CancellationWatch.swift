import Foundation
import Synchronization

/// What an agent knows of cancelled experiments: the ids it has seen cancelled (bounded),
/// and the handlers running for each experiment, so a cancellation stops them at once.
final class CancellationWatch: Sendable {
    private struct State {
        var cancelled: RecentSet
        var running: [String: [UUID: Task<Void, Never>]] = [:]
    }

    private let state: Mutex<State>

    init(capacity: Int) { state = Mutex(State(cancelled: RecentSet(capacity: capacity))) }

    func isCancelled(_ experimentID: String) -> Bool { state.withLock { $0.cancelled.contains(experimentID) } }

    /// Records the cancellation and cancels the experiment's running handlers.
    func cancel(_ experimentID: String) {
        let running = state.withLock { state in
            state.cancelled.insert(experimentID)
            return state.running.removeValue(forKey: experimentID) ?? [:]
        }
        for task in running.values { task.cancel() }
    }

    /// Runs `body` so that a cancellation of `experimentID` cancels it. Returns nil if the
    /// experiment was cancelled, before or during the run.
    func run<T: Sendable>(for experimentID: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        // Known cancelled: don't start the work at all.
        guard !isCancelled(experimentID) else { return nil }
        let id = UUID()
        let box = Mutex<Result<T, any Error>?>(nil)
        let work = Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
        }
        let registered = state.withLock { state in
            guard !state.cancelled.contains(experimentID) else { return false }
            state.running[experimentID, default: [:]][id] = work
            return true
        }
        if !registered { work.cancel() }
        await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        let cancelled = state.withLock { state in
            state.running[experimentID]?[id] = nil
            if state.running[experimentID]?.isEmpty == true { state.running[experimentID] = nil }
            return state.cancelled.contains(experimentID)
        }
        if cancelled { return nil }
        return try box.withLock { $0 }!.get()
    }
}
