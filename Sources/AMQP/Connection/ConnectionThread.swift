import CRabbitMQ
import Foundation
import Logging
import Synchronization

/// The one OS thread that owns a librabbitmq connection.
///
/// librabbitmq is not thread-safe and only services heartbeats while one of its calls
/// runs, so every C call happens here, in a loop that runs submitted jobs and otherwise
/// polls the socket. Callers on Swift's cooperative pool only enqueue closures; they
/// never block on the network.
final class ConnectionThread: Sendable {
    typealias Job = @Sendable (ConnectionCore) -> Void

    private struct Queue: ~Copyable {
        var jobs: [Job] = []
        var stopped = false
        /// True only while the thread is parked in poll(2); submitters signal only then.
        var parked = false
    }

    private let queue = Mutex(Queue())
    /// An eventfd the loop polls beside the socket, so a new job interrupts the wait at once.
    let wakeDescriptor: Int32

    init() {
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeDescriptor >= 0, "eventfd failed: \(errno)")
    }

    /// Starts the thread, which runs until the core reports it has finished.
    func start(core: ConnectionCore, name: String) {
        // The core is only ever touched by this thread from here on.
        nonisolated(unsafe) let core = core
        let thread = Thread { [self] in self.run(core) }
        thread.name = name
        thread.start()
    }

    /// Enqueues a job; false when the thread has stopped and the job will never run.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        queue.withLock { state in
            guard !state.stopped else { return false }
            state.jobs.append(job)
            // Signalled under the lock: once stopped, the descriptor may be closed and reused.
            if state.parked {
                state.parked = false
                var one: UInt64 = 1
                _ = write(wakeDescriptor, &one, 8)
            }
            return true
        }
    }

    /// Marks the thread as about to block; false if a job arrived and it should not.
    func park() -> Bool {
        queue.withLock { state in
            guard state.jobs.isEmpty else { return false }
            state.parked = true
            return true
        }
    }

    func unpark() {
        queue.withLock { $0.parked = false }
    }

    private func run(_ core: ConnectionCore) {
        while !core.isFinished {
            let jobs = queue.withLock { state in
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                return jobs
            }
            for job in jobs { job(core) }
            core.flushAcks()
            if core.isFinished { break }
            core.service(hasPendingJobs: queue.withLock { !$0.jobs.isEmpty })
        }
        let leftovers = queue.withLock { state in
            state.stopped = true
            return state.jobs
        }
        // Jobs that raced with shutdown still run, so every continuation they hold is resumed.
        for job in leftovers { job(core) }
        close(wakeDescriptor)
    }
}
