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

    func send(_ task: TaskMessage, body: [UInt8]? = nil, in store: some ExperimentStoreTransaction) throws {
        var headers = ["attempt": task.attempt]
        if let index = task.batchIndex { headers["batch_index"] = index }
        if let count = task.batchCount { headers["batch_count"] = count }
        try store.enqueue(
            OutboundMessage(
                destination: .tasks, routingKey: task.taskType.rawValue, messageID: task.taskID,
                correlationID: task.experimentID, type: task.taskType.rawValue, headers: headers,
                body: try body ?? MessageCoding.encode(task)))
    }

    func emit(_ record: ExperimentRecord, report: JSONValue? = nil, at now: Date, in store: some ExperimentStoreTransaction) throws {
        let status = ExperimentStatus(record: record, report: report, at: now)
        try store.enqueue(
            OutboundMessage(
                destination: .events, routingKey: Self.eventRoutingKey(experimentID: record.id, state: record.state),
                messageID: "\(record.id).event.\(record.state.rawValue).\(record.batchesCompleted)",
                correlationID: record.id, type: "experiment_status",
                body: try MessageCoding.encode(status)))
    }

    /// `experiment.<id>.<state>`: bind `experiment.<id>.*` to follow one experiment, `experiment.#` for all.
    package static func eventRoutingKey(experimentID: String, state: ExperimentState) -> String {
        "experiment.\(experimentID).\(state.rawValue)"
    }
}
