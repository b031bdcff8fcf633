import Foundation

/// The orchestrator's decisions, free of any transport: given an incoming message (or the
/// clock) and the stored state, it updates the state and enqueues what must be sent, all
/// in the caller's transaction. It keeps nothing in memory, so a restart loses nothing;
/// time comes in as `now`, so its timers are as testable as its messages.
package struct Orchestrator: Sendable {
    /// A message the orchestrator consumes. Results carry their output as raw JSON bytes: a
    /// batch's result is stored and spliced into the synthesis as it came.
    package enum Input: Sendable, Hashable {
        /// A new experiment, with the trace context its message carried.
        case request(ExperimentRequest, traceContext: [String: String] = [:])
        case result(TaskResult<RawJSON>)
        case cancel(ExperimentControlRequest)
        case retry(ExperimentControlRequest)
        case pause(ExperimentControlRequest)
        case resume(ExperimentControlRequest)
        /// A task that left the queues without a result: dead-lettered by the broker after
        /// its delivery limit (its worker kept dying), or refused by an agent.
        case deadLetteredTask(TaskIdentity, TaskHeaders, reason: String, permanent: Bool)
    }

    package let aggregator = BatchAggregator()
    /// Where corpus manifests are read and large synthesis inputs written; nil when no
    /// content store is configured (then corpora must travel inline).
    package let content: (any ContentAccess)?
    /// Batch results up to this many bytes travel inside the synthesis task; above it they
    /// go to the content store and the task carries their address.
    package let inlineSynthesisLimit: Int

    /// 4 MiB: half the largest message the pipeline sends, under RabbitMQ 4's default 16 MiB
    /// `max_message_size` with room for the rest of the task.
    package static let defaultInlineSynthesisLimit = 4 << 20
    /// The trace context of each step's tasks; nil sends the experiment's own.
    package let stepTracing: (any StepTracing)?
    /// Limits and prices of the models experiments name; a model not in it is neither
    /// metered nor priced.
    package let models: ModelTable
    /// The share of each model's limits the orchestrator uses (see ``ModelRateState``).
    package let rateHeadroom: Double
    /// The version of the external analyser the deployment runs (`--analyser-version`):
    /// without one, an external analyser's results are not cached.
    package let externalAnalyserVersion: String?

    package init(
        content: (any ContentAccess)? = nil, inlineSynthesisLimit: Int = Orchestrator.defaultInlineSynthesisLimit,
        stepTracing: (any StepTracing)? = nil, models: ModelTable = ModelTable(), rateHeadroom: Double = ModelRateState.defaultHeadroom,
        externalAnalyserVersion: String? = nil
    ) {
        self.externalAnalyserVersion = externalAnalyserVersion
        self.content = content
        self.inlineSynthesisLimit = inlineSynthesisLimit
        self.stepTracing = stepTracing
        self.models = models
        self.rateHeadroom = rateHeadroom
    }

    /// Handles a group of inputs in one transaction, in order; the batches their results
    /// concern are announced to the store first (``ExperimentStoreTransaction/expectResults(experimentID:batchIndices:)``).
    package func handle(_ inputs: [Input], at now: Date, in store: some ExperimentStoreTransaction) throws -> [Disposition] {
        var expected: [String: [Int]] = [:]
        for case .result(let result) in inputs {
            if let index = result.batchIndex { expected[result.experimentID, default: []].append(index) }
        }
        for (experimentID, indices) in expected.sorted(by: { $0.key < $1.key }) where indices.count > 1 {
            try store.expectResults(experimentID: experimentID, batchIndices: indices)
        }
        return try inputs.map { try handle($0, at: now, in: store) }
    }

    package func handle(_ input: Input, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        switch input {
        case .request(let request, let traceContext): try start(request, traceContext: traceContext, at: now, in: store)
        case .result(let result): try apply(result, at: now, in: store)
        case .cancel(let request): try cancel(request.experimentID, at: now, in: store)
        case .retry(let request): try rerun(request.experimentID, at: now, in: store)
        case .pause(let request): try pause(request.experimentID, at: now, in: store)
        case .resume(let request): try resume(request, at: now, in: store)
        case .deadLetteredTask(let task, let headers, let reason, let permanent):
            try apply(
                TaskResult(
                    task: task, attempt: headers.attempt, run: headers.run, status: .failed,
                    error: TaskFailure(code: "dead_lettered", message: reason, permanent: permanent),
                    workerID: "broker", startedAt: now, finishedAt: now),
                at: now, in: store)
        }
    }

    // MARK: Requests

    private func start(
        _ request: ExperimentRequest, traceContext: [String: String], at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Disposition {
        if var existing = try store.experiment(id: request.experimentID) {
            existing.duplicatesIgnored += 1
            existing.updatedAt = now
            try store.save(existing)
            return Disposition(.duplicateRequest, experimentID: existing.id)
        }
        let spec = request.experiment
        var record = ExperimentRecord(
            id: request.experimentID, name: spec.name, state: .received, createdAt: now, updatedAt: now,
            retry: spec.retry, taskTimeout: spec.taskTimeout, tolerance: spec.tolerateFailedBatches, maxInFlight: spec.maxInFlight,
            traceContext: traceContext, analysis: AnalysisRecord(spec: spec))
        try emit(record, at: now, in: store)
        let problems = spec.policyProblems
        guard problems.isEmpty else {
            record.state = .failed
            record.failure = "invalid experiment: " + problems.map(\.description).joined(separator: "; ")
            try store.create(record, spec: try MessageCoding.encode(spec))
            try emit(record, at: now, in: store)
            return Disposition(.experimentFailed, experimentID: record.id)
        }
        record.state = .preTesting
        record.stepAttempt = 1
        record.stepDueAt = now + record.taskTimeout.seconds
        try store.create(record, spec: try MessageCoding.encode(spec))
        try send(TaskMessage(experimentID: record.id, attempt: 1, payload: .preTest(preTestSpec(spec, in: store))), of: record, in: store)
        try emit(record, at: now, in: store)
        return Disposition(.experimentReceived, experimentID: record.id)
    }

    // MARK: Results

    private func apply(_ result: TaskResult<RawJSON>, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        var spend: Disposition.ModelSpend?
        func disposition(_ event: Event) -> Disposition {
            var disposition = Disposition(
                event, experimentID: result.experimentID, taskID: result.taskID, batchIndex: result.batchIndex, taskType: result.taskType)
            disposition.spend = spend
            return disposition
        }
        guard var record = try store.experiment(id: result.experimentID) else { return disposition(.unknownExperiment) }
        guard result.taskID == result.taskType.taskID(experimentID: result.experimentID, batchIndex: result.batchIndex) else {
            return disposition(.mismatchedTaskID)
        }
        let expected = Self.state(awaiting: result.taskType)
        // A paused experiment still counts the results of the tasks it had sent.
        guard record.state == expected || (record.state == .paused && expected == .analysing) else {
            guard record.state.isTerminal || record.state.order > expected.order else { return disposition(.unexpectedResult) }
            // A redelivery, a re-published result, or a late one after the experiment moved on.
            try countDuplicate(&record, at: now, in: store)
            return disposition(.duplicateResult)
        }
        record.updatedAt = now
        let ledgerBefore = record.analysis?.ledger
        let event: Event
        switch result.taskType {
        case .analyseBatch:
            event = try aggregator.record(result, into: &record, at: now, in: store, orchestrator: self)
        case .preTest, .corpusSynthesis:
            // First result wins among the step's attempts in this run; a failure counts only for
            // the current attempt. A result of an earlier run's synthesis is a duplicate.
            let run = result.taskType == .corpusSynthesis ? record.run : 1
            guard result.run == run, result.status == .completed || result.attempt == record.stepAttempts else {
                try countDuplicate(&record, at: now, in: store)
                return disposition(.duplicateResult)
            }
            if result.status == .failed {
                event = try stepFailed(
                    &record, result.error ?? TaskFailure(code: "unknown", message: "no reason given"), worker: result.workerID, at: now, in: store)
            } else if result.taskType == .preTest {
                event = try planBatches(&record, result, at: now, in: store)
            } else {
                event = try complete(&record, result, at: now, in: store)
            }
        }
        if let model = result.batchIndex.map({ record.analysis?.meteredModel(ofBatch: $0) }) ?? record.analysis?.meteredModel, let before = ledgerBefore,
            let after = record.analysis?.ledger, after != before
        {
            spend = Disposition.ModelSpend(model: model, added: after.since(before), outcome: result.status == .completed ? "ok" : "failed")
        }
        return disposition(event)
    }

    private func countDuplicate(_ record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws {
        record.duplicatesIgnored += 1
        record.updatedAt = now
        try store.save(record)
    }

    /// The state in which the orchestrator waits for results of this task type.
    static func state(awaiting taskType: TaskType) -> ExperimentState {
        switch taskType {
        case .preTest: .preTesting
        case .analyseBatch: .analysing
        case .corpusSynthesis: .synthesising
        }
    }

    private func planBatches(_ record: inout ExperimentRecord, _ result: TaskResult<RawJSON>, at now: Date, in store: some ExperimentStoreTransaction) throws
        -> Event
    {
        let spec = try storedSpec(of: record, in: store)
        let plan: PreTestResult
        do {
            plan = try MessageCoding.decode(PreTestResult.self, from: result.result?.bytes ?? Array("null".utf8))
        } catch {
            try fail(&record, "pre_test returned an unreadable plan: \(error)", at: now, in: store)
            return .experimentFailed
        }
        let corpus: Corpus
        do {
            corpus = try self.corpus(of: spec)
        } catch {
            try fail(&record, "the corpus could not be read: \(error)", at: now, in: store)
            return .experimentFailed
        }
        if let problem = Self.problem(with: plan, contains: corpus.contains) {
            try fail(&record, "pre_test returned an invalid plan: \(problem)", at: now, in: store)
            return .experimentFailed
        }
        record.state = .analysing
        // Replicate r's batches follow replicate r - 1's, the same documents in the same order,
        // and with several models, model m's replicates follow model m - 1's.
        let replicates = spec.analyser?.replicateCount ?? 1
        let modelCount = max(spec.modelNames.count, 1)
        let perReplicate = plan.batches.count
        record.batchCount = perReplicate * replicates * modelCount
        if modelCount > 1 { record.analysis?.batchesPerModel = perReplicate * replicates }
        record.documentsPlanned = plan.batches.reduce(0) { $0 + $1.count }
        record.warnings = plan.warnings
        try accountForPilot(plan, spec: spec, of: &record, at: now, in: store)
        record.stepDueAt = nil
        record.stepWaiting = false
        record.lastProgressAt = now
        // The pilot ran the first model's settings; each model's analyses have keys of their own.
        let firstKeys = cacheKeys(for: spec.forModel(at: 0), of: &record)
        if let firstKeys { try cachePilot(plan.pilotAnalyses ?? [], corpus: corpus, keys: firstKeys, of: &record, at: now, in: store) }
        try createBatches(plan, spec: spec, corpus: corpus, replicates: replicates, firstKeys: firstKeys, of: &record, in: store)
        if record.allBatchesEnded {
            // Every document came from the cache: nothing to send but the synthesis.
            try beginSynthesis(&record, at: now, in: store)
            return .synthesisRequested
        }
        try dispatchBatches(&record, at: now, in: store)
        try store.save(record)
        try emit(record, at: now, in: store)
        return .batchesPlanned
    }

    /// Stores every batch of the plan, replicate by replicate and model by model, in parts,
    /// with the cache applied: what is cached is completed now, the rest waits for dispatch.
    private func createBatches(
        _ plan: PreTestResult, spec: ExperimentSpec, corpus: Corpus, replicates: Int, firstKeys: AnalysisCacheKeys?,
        of record: inout ExperimentRecord, in store: some ExperimentStoreTransaction
    ) throws {
        let modelCount = max(spec.modelNames.count, 1)
        let perReplicate = plan.batches.count
        for unit in 0..<(modelCount * replicates) {
            let (model, replicate) = unit.quotientAndRemainder(dividingBy: replicates)
            let modelSpec = spec.forModel(at: model)
            let keys = model == 0 ? firstKeys : try firstKeys.map { _ in try AnalysisCacheKeys.make(for: modelSpec, externalVersion: externalAnalyserVersion) }
            var analyser = modelSpec.analyser
            analyser?.seed = modelSpec.analyser?.seed(forReplicate: replicate)
            // A cached analysis keeps all its evidence: a later report may rank it first.
            let template = try BatchTaskTemplate(
                experimentID: record.id, batchCount: record.batchCount, framework: spec.framework, analyser: analyser,
                researchQuestion: spec.researchQuestion, keepEvidence: keys != nil)
            // The pilot ran the first model's replicate 0.
            let piloted = unit == 0 ? Set((plan.pilotAnalyses ?? []).map(\.id)) : []
            // Stored in parts: a plan of 100,000 tasks is never in memory at once.
            let part = 1_024
            for start in stride(from: 0, to: perReplicate, by: part) {
                let batches = plan.batches[start..<min(start + part, perReplicate)]
                let first = unit * perReplicate + start
                guard let keys else {
                    let tasks = try batches.enumerated().map { offset, ids in try corpus.task(template, batchIndex: first + offset, ids: ids) }
                    try store.createBatches(experimentID: record.id, startingAt: first, tasks: tasks)
                    continue
                }
                let planned = try cachedBatches(
                    batches, first: first, replicate: replicate, corpus: corpus, template: template, keys: keys, piloted: piloted, of: &record,
                    in: store)
                try store.createBatches(experimentID: record.id, startingAt: first, tasks: planned.tasks)
                for (index, plan) in planned.plans { try store.saveCachePlan(experimentID: record.id, batchIndex: index, plan: plan) }
                for (index, result) in planned.complete {
                    try store.completeFromCache(experimentID: record.id, batchIndex: index, result: result)
                    record.batchesCompleted += 1
                }
            }
        }
    }

    /// An experiment's documents, by id: carried in its spec, or a manifest in the content store.
    enum Corpus {
        case inline([String: Document])
        case manifest(CorpusManifest)

        func contains(_ id: String) -> Bool {
            switch self {
            case .inline(let documents): documents[id] != nil
            case .manifest(let manifest): manifest.contains(id)
            }
        }
    }

    func corpus(of spec: ExperimentSpec) throws -> Corpus {
        guard let reference = spec.corpusRef else {
            return .inline(Dictionary(spec.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        guard let content else {
            throw ContractError(
                .invalidExperiment, "its corpus is in a content store (\(reference)), and this orchestrator has none (--document-store)")
        }
        return .manifest(try CorpusManifest(content.read(reference)))
    }

    static func problem(with plan: PreTestResult, contains: (String) -> Bool) -> String? {
        guard !plan.batches.isEmpty else { return "no batches" }
        var seen: Set<String> = []
        for (index, batch) in plan.batches.enumerated() {
            guard !batch.isEmpty else { return "batch \(index) is empty" }
            for id in batch {
                guard contains(id) else { return "batch \(index) names unknown document '\(id)'" }
                guard seen.insert(id).inserted else { return "document '\(id)' is planned twice" }
            }
        }
        return nil
    }

    private func complete(_ record: inout ExperimentRecord, _ result: TaskResult<RawJSON>, at now: Date, in store: some ExperimentStoreTransaction) throws
        -> Event
    {
        let bytes = result.result?.bytes ?? Array("null".utf8)
        let report = try MessageCoding.decode(JSONValue.self, from: bytes)
        record.state = .completed
        record.report = bytes
        record.stepDueAt = nil
        record.stepWaiting = false
        record.lastProgressAt = now
        try store.save(record)
        try emit(record, report: report, at: now, in: store)
        return .experimentCompleted
    }

    /// Ends the experiment as failed, stopping every timer it had.
    func fail(_ record: inout ExperimentRecord, _ reason: String, at now: Date, in store: some ExperimentStoreTransaction) throws {
        record.state = .failed
        record.failure = reason
        record.updatedAt = now
        record.lastProgressAt = now
        record.stepDueAt = nil
        record.stepWaiting = false
        try store.clearBatchTimers(experimentID: record.id)
        try store.save(record)
        try emit(record, at: now, in: store)
    }

    /// The experiment's spec as submitted; with `documents: false` its documents are cut out
    /// of the bytes before decoding.
    func storedSpec(of record: ExperimentRecord, documents: Bool = true, in store: some ExperimentStoreTransaction) throws -> ExperimentSpec {
        guard let bytes = try store.spec(experimentID: record.id) else {
            throw ContractError(.invalidExperiment, "experiment \(record.id) has no stored spec")
        }
        return try MessageCoding.decode(ExperimentSpec.self, from: documents ? bytes : TaskBodyEdit.strippingDocuments(ofSpec: bytes))
    }
}
