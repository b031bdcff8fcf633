import Foundation

/// The orchestrator's decisions, free of any transport: given an incoming message and the
/// stored state, it updates the state and enqueues what must be sent, all in the caller's
/// transaction. It keeps nothing in memory, so a restart loses nothing.
public struct Orchestrator: Sendable {
    /// A message the orchestrator consumes.
    public enum Input: Sendable, Hashable {
        case request(ExperimentRequest)
        case result(TaskResult)
    }

    /// What became of an input, for logs and metrics.
    public enum Disposition: Sendable, Hashable {
        case applied(String)
        case ignored(String)
    }

    public let aggregator = BatchAggregator()

    public init() {}

    public func handle(_ input: Input, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        switch input {
        case .request(let request): try start(request, at: now, in: store)
        case .result(let result): try apply(result, at: now, in: store)
        }
    }

    // MARK: Requests

    private func start(_ request: ExperimentRequest, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        if let existing = try store.experiment(id: request.experimentID) {
            return .ignored("duplicate request for experiment \(existing.id) (\(existing.state.rawValue))")
        }
        let spec = request.experiment
        var record = ExperimentRecord(id: request.experimentID, name: spec.name, state: .received, createdAt: now, updatedAt: now)
        try emit(record, at: now, in: store)
        record.state = .preTesting
        try store.create(record, spec: try MessageCoding.encode(spec))
        try send(TaskMessage(experimentID: record.id, payload: .preTest(spec)), in: store)
        try emit(record, at: now, in: store)
        return .applied("experiment \(record.id) received; pre_test sent")
    }

    // MARK: Results

    private func apply(_ result: TaskResult, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        guard var record = try store.experiment(id: result.experimentID) else {
            return .ignored("result \(result.taskID) for unknown experiment \(result.experimentID)")
        }
        guard result.taskID == result.taskType.taskID(experimentID: result.experimentID, batchIndex: result.batchIndex) else {
            return .ignored("result \(result.taskID) does not match its experiment, type and batch")
        }
        let expected: ExperimentState = switch result.taskType {
        case .preTest: .preTesting
        case .analyseBatch: .analysing
        case .corpusSynthesis: .synthesising
        }
        guard record.state == expected else {
            // A redelivery, a re-published result, or a late one after the experiment moved on.
            record.duplicatesIgnored += 1
            record.updatedAt = now
            try store.save(record)
            return .ignored("\(result.taskType.rawValue) result \(result.taskID) arrived while experiment is \(record.state.rawValue)")
        }
        if result.status == .failed {
            let reason = result.error?.description ?? "no reason given"
            let step = result.batchIndex.map { "batch \($0)" } ?? result.taskType.rawValue
            try fail(&record, "\(step) failed on worker \(result.workerID): \(reason)", at: now, in: store)
            return .applied("experiment \(record.id) failed in \(step)")
        }
        switch result.taskType {
        case .preTest: return try planBatches(&record, result, at: now, in: store)
        case .analyseBatch: return try countBatch(&record, result, at: now, in: store)
        case .corpusSynthesis: return try complete(&record, result, at: now, in: store)
        }
    }

    private func planBatches(_ record: inout ExperimentRecord, _ result: TaskResult, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        let spec = try storedSpec(of: record, in: store)
        let plan: PreTestResult
        do {
            plan = try MessageCoding.decode(PreTestResult.self, from: MessageCoding.encode(result.result ?? .null))
        } catch {
            try fail(&record, "pre_test returned an unreadable plan: \(error)", at: now, in: store)
            return .applied("experiment \(record.id) failed: unreadable plan")
        }
        let documents = Dictionary(spec.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let problem = Self.problem(with: plan, documents: documents) {
            try fail(&record, "pre_test returned an invalid plan: \(problem)", at: now, in: store)
            return .applied("experiment \(record.id) failed: invalid plan")
        }
        record.state = .analysing
        record.batchCount = plan.batches.count
        record.warnings = plan.warnings
        record.updatedAt = now
        try store.save(record)
        for (index, ids) in plan.batches.enumerated() {
            let payload = BatchPayload(framework: spec.framework, documents: ids.compactMap { documents[$0] })
            try send(TaskMessage(experimentID: record.id, batchIndex: index, batchCount: plan.batches.count, payload: .analyseBatch(payload)), in: store)
        }
        try emit(record, at: now, in: store)
        return .applied("experiment \(record.id) analysing: \(plan.batches.count) batches sent")
    }

    static func problem(with plan: PreTestResult, documents: [String: Document]) -> String? {
        guard !plan.batches.isEmpty else { return "no batches" }
        var seen: Set<String> = []
        for (index, batch) in plan.batches.enumerated() {
            guard !batch.isEmpty else { return "batch \(index) is empty" }
            for id in batch {
                guard documents[id] != nil else { return "batch \(index) names unknown document '\(id)'" }
                guard seen.insert(id).inserted else { return "document '\(id)' is planned twice" }
            }
        }
        return nil
    }

    private func countBatch(_ record: inout ExperimentRecord, _ result: TaskResult, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        guard let index = result.batchIndex else { return .ignored("analyse_batch result \(result.taskID) has no batch index") }
        let outcome = try aggregator.record(batchIndex: index, result: MessageCoding.encode(result.result ?? .null), into: &record, in: store)
        record.updatedAt = now
        switch outcome {
        case .outOfRange:
            return .ignored("batch \(index) is outside the plan of \(record.batchCount) batches")
        case .duplicate:
            try store.save(record)
            return .ignored("duplicate result for batch \(index) of experiment \(record.id)")
        case .counted(let completed, let total):
            try store.save(record)
            // Progress is reported for the first batch and then about every 1 %: a large fan-out
            // would otherwise spend as many broker operations on events as on the work itself.
            if completed == 1 || completed % max(1, total / 100) == 0 { try emit(record, at: now, in: store) }
            return .applied("experiment \(record.id): batch \(index) in, \(completed)/\(total)")
        case .completed(let total):
            let spec = try storedSpec(of: record, in: store)
            record.state = .synthesising
            record.synthesisRequests += 1
            try store.save(record)
            let payload = SynthesisPayload(
                experimentName: spec.name, researchQuestion: spec.researchQuestion, groupBy: spec.groupBy,
                framework: spec.framework, batchResults: [])
            let task = TaskMessage(experimentID: record.id, payload: .corpusSynthesis(payload))
            try send(task, body: Self.splice(try store.batchResults(experimentID: record.id), into: try MessageCoding.encode(task)), in: store)
            try emit(record, at: now, in: store)
            return .applied("experiment \(record.id): all \(total) batches in; corpus_synthesis sent")
        }
    }

    private func complete(_ record: inout ExperimentRecord, _ result: TaskResult, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        let report = result.result ?? .null
        record.state = .completed
        record.report = try MessageCoding.encode(report)
        record.updatedAt = now
        try store.save(record)
        try emit(record, report: report, at: now, in: store)
        return .applied("experiment \(record.id) completed")
    }

    private func fail(_ record: inout ExperimentRecord, _ reason: String, at now: Date, in store: some ExperimentStoreTransaction) throws {
        record.state = .failed
        record.failure = reason
        record.updatedAt = now
        try store.save(record)
        try emit(record, at: now, in: store)
    }

    private func storedSpec(of record: ExperimentRecord, in store: some ExperimentStoreTransaction) throws -> ExperimentSpec {
        guard let bytes = try store.spec(experimentID: record.id) else {
            throw ContractError(.invalidExperiment, "experiment \(record.id) has no stored spec")
        }
        return try MessageCoding.decode(ExperimentSpec.self, from: bytes)
    }

    // MARK: Outgoing

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

    private func send(_ task: TaskMessage, body: [UInt8]? = nil, in store: some ExperimentStoreTransaction) throws {
        var headers = ["attempt": task.attempt]
        if let index = task.batchIndex { headers["batch_index"] = index }
        if let count = task.batchCount { headers["batch_count"] = count }
        try store.enqueue(OutboundMessage(
            destination: .tasks, routingKey: task.taskType.rawValue, messageID: task.taskID,
            correlationID: task.experimentID, type: task.taskType.rawValue, headers: headers,
            body: try body ?? MessageCoding.encode(task)))
    }

    private func emit(_ record: ExperimentRecord, report: JSONValue? = nil, at now: Date, in store: some ExperimentStoreTransaction) throws {
        let event = ExperimentStatusEvent(record: record, report: report, at: now)
        try store.enqueue(OutboundMessage(
            destination: .events, routingKey: Self.eventRoutingKey(experimentID: record.id, state: record.state),
            messageID: "\(record.id).event.\(record.state.rawValue).\(record.batchesCompleted)",
            correlationID: record.id, type: "experiment_status",
            body: try MessageCoding.encode(event)))
    }

    /// `experiment.<id>.<state>`: bind `experiment.<id>.*` to follow one experiment, `experiment.#` for all.
    public static func eventRoutingKey(experimentID: String, state: ExperimentState) -> String {
        "experiment.\(experimentID).\(state.rawValue)"
    }
}
