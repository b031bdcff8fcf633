import AMQP
import Synchronization

extension OrchestratorService {
    /// The event loop's queue. Work that waits behind a transaction joins the item queued
    /// before it when both are deliveries from the same queue (or both timer ticks), so the
    /// next transaction applies everything that arrived meanwhile as one group commit. A slow
    /// store (a database a round trip away) then commits fewer, larger groups instead of
    /// falling further behind one socket read at a time. Any number of producers; one taker.
    final class WorkQueue: Sendable {
        private struct State {
            // Short: same-kind work joins, so there is about one item per source.
            var items: [Work] = []
            var waiter: CheckedContinuation<Work?, Never>?
            var finished = false
        }

        private let state = Mutex(State())

        /// Queues `work`; false once the queue has finished (nothing will take it).
        @discardableResult
        func yield(_ work: Work) -> Bool {
            let (accepted, waiter): (Bool, CheckedContinuation<Work?, Never>?) = state.withLock { state in
                guard !state.finished else { return (false, nil) }
                if let waiter = state.waiter {
                    state.waiter = nil
                    return (true, waiter)
                }
                if let last = state.items.last, let joined = Self.join(last, work) {
                    state.items[state.items.count - 1] = joined
                } else {
                    state.items.append(work)
                }
                return (true, nil)
            }
            waiter?.resume(returning: work)
            return accepted
        }

        /// Ends the queue: work already queued is still taken, then ``next()`` returns nil.
        func finish() {
            let waiter = state.withLock { state in
                state.finished = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }

        /// The next item, or nil once the queue has finished and is empty, or the task is cancelled.
        func next() async -> Work? {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Work?, Never>) in
                    let ready: Work?? = state.withLock { state in
                        if !state.items.isEmpty { return .some(state.items.removeFirst()) }
                        if state.finished || Task.isCancelled { return .some(nil) }
                        precondition(state.waiter == nil, "WorkQueue has one taker")
                        state.waiter = continuation
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            } onCancel: {
                finish()
            }
        }

        /// `later` joined onto `earlier`, if they are the same kind of work.
        private static func join(_ earlier: Work, _ later: Work) -> Work? {
            switch (earlier, later) {
            case (.deliveries(let source, let first), .deliveries(let laterSource, let second)) where source == laterSource:
                .deliveries(source: source, first + second)
            case (.timers, .timers):
                .timers
            default:
                nil
            }
        }
    }
}
