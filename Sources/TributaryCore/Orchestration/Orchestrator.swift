import Foundation

/// The orchestrator's decisions, free of any transport: given an incoming message and the
/// stored state, it updates the state and enqueues what must be sent, all in the caller's
/// transaction. It keeps nothing in memory, so a restart loses nothing.
package struct Orchestrator: Sendable {
    /// A message the orchestrator consumes. Results carry their output as uninterpreted JSON.
    package enum Input: Sendable, Hashable {
        case request(ExperimentRequest)
        case result(TaskResult<JSONValue>)
    }

    package let aggregator = BatchAggregator()

    package init() {}

    package func handle(_ input: Input, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        switch input {
        case .request(let request): try start(request, at: now, in: store)
        case .result(let result): try apply(result, at: now, in: store)
        }
    }

    // MARK: Requests

    private func start(_ request: ExperimentRequest, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        if var existing = try store.experiment(id: request.experimentID) {
            existing.duplicatesIgnored += 1
            existing.updatedAt = now
            try store.save(existing)
            return Disposition(.duplicateRequest, experimentID: existing.id)
        }
        let spec = request.experiment
        var record = ExperimentRecord(id: request.experimentID, name: spec.name, state: .received, createdAt: now, updatedAt: now)
        try emit(record, at: now, in: store)
        record.state = .preTesting
        try store.create(record, spec: try MessageCoding.encode(spec))
        try send(TaskMessage(experimentID: record.id, payload: .preTest(spec)), in: store)
        try emit(record, at: now, in: store)
        return Disposition(.experimentReceived, experimentID: record.id)
    }

    // MARK: Results

    private func apply(_ result: TaskResult<JSONValue>, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        func disposition(_ event: Event) -> Disposition {
            Disposition(event, experimentID: result.experimentID, taskID: result.taskID, batchIndex: result.batchIndex)
        }
        guard var record = try store.experiment(id: result.experimentID) else { return disposition(.unknownExperiment) }
        guard result.taskID == result.taskType.taskID(experimentID: result.experimentID, batchIndex: result.batchIndex) else {
            return disposition(.mismatchedTaskID)
        }
        let expected = Self.state(awaiting: result.taskType)
        guard record.state == expected else {
            guard record.state == .failed || record.state.order > expected.order else { return disposition(.unexpectedResult) }
            // A redelivery, a re-published result, or a late one after the experiment moved on.
            record.duplicatesIgnored += 1
            record.updatedAt = now
            try store.save(record)
            return disposition(.duplicateResult)
        }
        if result.status == .failed {
            let reason = result.error?.description ?? "no reason given"
            let step = result.batchIndex.map { "batch \($0)" } ?? result.taskType.rawValue
            try fail(&record, "\(step) failed on worker \(result.workerID): \(reason)", at: now, in: store)
            return disposition(.experimentFailed)
        }
        switch result.taskType {
        case .preTest: return try planBatches(&record, result, at: now, in: store)
        case .analyseBatch: return try countBatch(&record, result, at: now, in: store)
        case .corpusSynthesis: return try complete(&record, result, at: now, in: store)
        }
    }

    private func planBatches(_ record: inout ExperimentRecord, _ result: TaskResult<JSONValue>, at now: Date, in store: some ExperimentStoreTransaction) throws
        -> Disposition
    {
        let spec = try storedSpec(of: record, in: store)
        let plan: PreTestResult
        do {
            plan = try MessageCoding.decode(PreTestResult.self, from: MessageCoding.encode(result.result ?? .null))
        } catch {
            try fail(&record, "pre_test returned an unreadable plan: \(error)", at: now, in: store)
            return Disposition(.experimentFailed, experimentID: record.id, taskID: result.taskID)
        }
        let documents = Dictionary(spec.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        if let problem = Self.problem(with: plan, documents: documents) {
            try fail(&record, "pre_test returned an invalid plan: \(problem)", at: now, in: store)
            return Disposition(.experimentFailed, experimentID: record.id, taskID: result.taskID)
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
        return Disposition(.batchesPlanned, experimentID: record.id, taskID: result.taskID)
    }

    /// The state in which the orchestrator waits for results of this task type.
    static func state(awaiting taskType: TaskType) -> ExperimentState {
        switch taskType {
        case .preTest: .preTesting
        case .analyseBatch: .analysing
        case .corpusSynthesis: .synthesising
        }
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

    private func countBatch(_ record: inout ExperimentRecord, _ result: TaskResult<JSONValue>, at now: Date, in store: some ExperimentStoreTransaction) throws
        -> Disposition
    {
        func disposition(_ event: Event) -> Disposition {
            Disposition(event, experimentID: record.id, taskID: result.taskID, batchIndex: result.batchIndex)
        }
        guard let index = result.batchIndex else { return disposition(.batchOutOfRange) }
        let outcome = try aggregator.record(batchIndex: index, result: MessageCoding.encode(result.result ?? .null), into: &record, in: store)
        record.updatedAt = now
        switch outcome {
        case .outOfRange:
            return disposition(.batchOutOfRange)
        case .duplicate:
            try store.save(record)
            return disposition(.duplicateResult)
        case .counted(let completed, let total):
            try store.save(record)
            // Progress is reported for the first batch and then about every 1 %: a large fan-out
            // would otherwise spend as many broker operations on events as on the work itself.
            if completed == 1 || completed % max(1, total / 100) == 0 { try emit(record, at: now, in: store) }
            return disposition(.batchCounted)
        case .completed:
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
            return disposition(.synthesisRequested)
        }
    }

    private func complete(_ record: inout ExperimentRecord, _ result: TaskResult<JSONValue>, at now: Date, in store: some ExperimentStoreTransaction) throws
        -> Disposition
    {
        let report = result.result ?? .null
        record.state = .completed
        record.report = try MessageCoding.encode(report)
        record.updatedAt = now
        try store.save(record)
        try emit(record, report: report, at: now, in: store)
        return Disposition(.experimentCompleted, experimentID: record.id, taskID: result.taskID)
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
}
