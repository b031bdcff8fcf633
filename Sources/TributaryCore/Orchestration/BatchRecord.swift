import Foundation

/// The orchestrator's durable state for one batch of one experiment: where it is in
/// pending → dispatched → (retry_wait → dispatched …) → succeeded | failed, which attempt is
/// current, and when its timer is due (the attempt's deadline, or its retry time).
package struct BatchRecord: Sendable, Hashable {
    package var experimentID: String
    package var index: Int
    package var state: BatchStatus.State
    /// The current (or last) attempt; 0 while pending.
    package var attempt: Int
    package var dispatchedAt: Date?
    /// Deadline while dispatched, retry time while waiting; nil otherwise.
    package var dueAt: Date?
    package var workerID: String?
    package var lastError: String?

    package init(
        experimentID: String, index: Int, state: BatchStatus.State = .pending, attempt: Int = 0, dispatchedAt: Date? = nil,
        dueAt: Date? = nil, workerID: String? = nil, lastError: String? = nil
    ) {
        self.experimentID = experimentID
        self.index = index
        self.state = state
        self.attempt = attempt
        self.dispatchedAt = dispatchedAt
        self.dueAt = dueAt
        self.workerID = workerID
        self.lastError = lastError
    }

    package var status: BatchStatus {
        BatchStatus(
            batchIndex: index, state: state, attempt: attempt, dispatchedAt: dispatchedAt, dueAt: dueAt, workerID: workerID,
            lastError: lastError)
    }
}
