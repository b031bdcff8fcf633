import Foundation

/// One batch that is not done yet, or failed, as `tributary explain` shows it.
public struct BatchStatus: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Planned, not yet sent (held back by `max_in_flight`).
        case pending
        /// Sent; waiting for a result until `due_at`.
        case dispatched
        /// An attempt failed; the next is sent at `due_at`.
        case retryWait = "retry_wait"
        case succeeded
        case failed
    }

    public var batchIndex: Int
    public var state: State
    /// The current (or last) attempt; 0 while pending.
    public var attempt: Int
    /// When the current attempt was sent.
    public var dispatchedAt: Date?
    /// The attempt's deadline (dispatched) or the retry time (retry_wait).
    public var dueAt: Date?
    /// The worker that last reported on this batch.
    public var workerID: String?
    public var lastError: String?

    public init(
        batchIndex: Int, state: State, attempt: Int, dispatchedAt: Date? = nil, dueAt: Date? = nil, workerID: String? = nil,
        lastError: String? = nil
    ) {
        self.batchIndex = batchIndex
        self.state = state
        self.attempt = attempt
        self.dispatchedAt = dispatchedAt
        self.dueAt = dueAt
        self.workerID = workerID
        self.lastError = lastError
    }
}
