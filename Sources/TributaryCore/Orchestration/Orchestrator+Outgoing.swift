import Foundation

extension Orchestrator {
    func send(_ task: TaskMessage, body: [UInt8]? = nil, of record: ExperimentRecord, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            body ?? MessageCoding.encode(task), taskType: task.taskType, of: record,
            headers: TaskHeaders(attempt: task.attempt, run: task.run, batchIndex: task.batchIndex, batchCount: task.batchCount), in: store)
    }

    /// Sends attempt `attempt` of a batch from its stored first-attempt task.
    func sendBatch(_ planned: [UInt8], index: Int, of record: ExperimentRecord, attempt: Int, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            TaskBodyEdit.rewritingAttempt(of: planned, to: attempt), taskType: .analyseBatch, of: record,
            headers: TaskHeaders(attempt: attempt, batchIndex: index, batchCount: record.batchCount),
            routingKey: AnalysisLane.routingKey(for: record.analysis?.kind), in: store)
    }

    private func enqueueTask(
        _ body: [UInt8], taskType: TaskType, of record: ExperimentRecord, headers: TaskHeaders, routingKey: String? = nil,
        in store: some ExperimentStoreTransaction
    ) throws {
        let task = TaskIdentity(
            taskID: taskType.taskID(experimentID: record.id, batchIndex: headers.batchIndex), experimentID: record.id, taskType: taskType,
            batchIndex: headers.batchIndex)
        try store.enqueue(
            OutboundMessage(
                destination: .tasks, routingKey: routingKey ?? taskType.rawValue, messageID: task.messageID(attempt: headers.attempt, run: headers.run),
                correlationID: record.id, type: taskType.rawValue, headers: headers.values,
                traceHeaders: stepTracing?.headers(forStep: taskType, of: record) ?? record.traceContext, body: body))
    }

    func emit(_ record: ExperimentRecord, report: JSONValue? = nil, at now: Date, in store: some ExperimentStoreTransaction) throws {
        let status = ExperimentStatus(record: record, report: report, at: now)
        try store.enqueue(
            OutboundMessage(
                destination: .events, routingKey: EventRoutingKey.key(experimentID: record.id, state: record.state),
                messageID: "\(record.id).event.\(record.state.rawValue).\(record.batchesCompleted)",
                correlationID: record.id, type: MessageType.experimentStatus.rawValue, traceHeaders: record.traceContext,
                body: try MessageCoding.encode(status)))
    }
}
