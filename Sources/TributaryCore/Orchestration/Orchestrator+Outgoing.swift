import Foundation

extension Orchestrator {
    func send(_ task: TaskMessage, body: [UInt8]? = nil, of record: ExperimentRecord, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            body ?? MessageCoding.encode(task), taskType: task.taskType, of: record, batchIndex: task.batchIndex,
            batchCount: task.batchCount, attempt: task.attempt, in: store)
    }

    /// Sends attempt `attempt` of a batch from its stored first-attempt task.
    func sendBatch(_ planned: [UInt8], index: Int, of record: ExperimentRecord, attempt: Int, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            TaskBodyEdit.rewritingAttempt(of: planned, to: attempt), taskType: .analyseBatch, of: record, batchIndex: index,
            batchCount: record.batchCount, attempt: attempt, in: store)
    }

    private func enqueueTask(
        _ body: [UInt8], taskType: TaskType, of record: ExperimentRecord, batchIndex: Int?, batchCount: Int?, attempt: Int,
        in store: some ExperimentStoreTransaction
    ) throws {
        let experimentID = record.id
        var headers = ["attempt": attempt]
        if let batchIndex { headers["batch_index"] = batchIndex }
        if let batchCount { headers["batch_count"] = batchCount }
        let taskID = taskType.taskID(experimentID: experimentID, batchIndex: batchIndex)
        try store.enqueue(
            OutboundMessage(
                destination: .tasks, routingKey: taskType.rawValue, messageID: Self.messageID(taskID: taskID, attempt: attempt),
                correlationID: experimentID, type: taskType.rawValue, headers: headers, traceHeaders: record.traceContext, body: body))
    }

    /// Each attempt of a task is its own message: `<task id>.attempt-<n>`.
    package static func messageID(taskID: String, attempt: Int) -> String { "\(taskID).attempt-\(attempt)" }

    func emit(_ record: ExperimentRecord, report: JSONValue? = nil, at now: Date, in store: some ExperimentStoreTransaction) throws {
        let status = ExperimentStatus(record: record, report: report, at: now)
        try store.enqueue(
            OutboundMessage(
                destination: .events, routingKey: Self.eventRoutingKey(experimentID: record.id, state: record.state),
                messageID: "\(record.id).event.\(record.state.rawValue).\(record.batchesCompleted)",
                correlationID: record.id, type: MessageType.experimentStatus.rawValue, traceHeaders: record.traceContext,
                body: try MessageCoding.encode(status)))
    }

    /// `experiment.<id>.<state>`: bind `experiment.<id>.*` to follow one experiment, `experiment.#` for all.
    package static func eventRoutingKey(experimentID: String, state: ExperimentState) -> String {
        "experiment.\(experimentID).\(state.rawValue)"
    }
}
