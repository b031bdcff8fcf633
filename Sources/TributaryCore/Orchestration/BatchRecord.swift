/// The orchestrator's durable state for one batch of one experiment: its ``BatchStatus``
/// (where it is in pending → dispatched → (retry_wait → dispatched …) → succeeded | failed,
/// its current attempt and its timer) and the experiment it belongs to. Reads and writes
/// the status's fields directly: `batch.state`, `batch.attempt`, `batch.dueAt`.
@dynamicMemberLookup
package struct BatchRecord: Sendable, Hashable {
    package var experimentID: String
    package var status: BatchStatus

    package init(experimentID: String, status: BatchStatus) {
        self.experimentID = experimentID
        self.status = status
    }

    /// A batch as planned: pending, no attempt yet.
    package init(experimentID: String, index: Int) {
        self.init(experimentID: experimentID, status: BatchStatus(batchIndex: index, state: .pending, attempt: 0))
    }

    package var index: Int { status.batchIndex }

    package subscript<Value>(dynamicMember field: WritableKeyPath<BatchStatus, Value>) -> Value {
        get { status[keyPath: field] }
        set { status[keyPath: field] = newValue }
    }
}
