import Foundation

extension Orchestrator {
    /// Puts the stored batch results, already canonical JSON, into the encoded synthesis task's
    /// empty `batch_results` array: decoding and re-encoding them all would double the JSON
    /// work of a fan-in. The key can only occur once, as a key: inside strings its quotes are escaped.
    static func splice(_ results: [[UInt8]], into encoded: [UInt8]) throws -> [UInt8] {
        let marker = Array(#""batch_results":[]"#.utf8)
        guard let start = encoded.firstRange(of: marker)?.lowerBound else {
            throw ContractError(.malformed, "encoded synthesis task has no empty batch_results")
        }
        var body = Array(encoded[..<start])
        body.reserveCapacity(encoded.count + results.reduce(0) { $0 + $1.count + 1 })
        body += Array(#""batch_results":["#.utf8)
        for (index, result) in results.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body += result
        }
        body.append(UInt8(ascii: "]"))
        body += encoded[(start + marker.count)...]
        return body
    }

    func send(_ task: TaskMessage, body: [UInt8]? = nil, of record: ExperimentRecord, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            body ?? MessageCoding.encode(task), taskType: task.taskType, of: record, batchIndex: task.batchIndex,
            batchCount: task.batchCount, attempt: task.attempt, in: store)
    }

    /// Sends attempt `attempt` of a batch from its stored first-attempt task.
    func sendBatch(_ planned: [UInt8], index: Int, of record: ExperimentRecord, attempt: Int, in store: some ExperimentStoreTransaction) throws {
        try enqueueTask(
            Self.rewritingAttempt(of: planned, to: attempt), taskType: .analyseBatch, of: record, batchIndex: index,
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

    /// The stored task with another attempt number. Sorted keys put `attempt` first, so this is
    /// a prefix swap, not a decode and re-encode of the batch's documents.
    static func rewritingAttempt(of planned: [UInt8], to attempt: Int) throws -> [UInt8] {
        let prefix = Array(#"{"attempt":1,"#.utf8)
        guard attempt != 1 else { return planned }
        guard planned.starts(with: prefix) else {
            var task = try MessageCoding.decode(TaskMessage.self, from: planned)
            task.attempt = attempt
            return try MessageCoding.encode(task)
        }
        return Array(#"{"attempt":\#(attempt),"#.utf8) + planned[prefix.count...]
    }

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
