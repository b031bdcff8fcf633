import Foundation

/// The single-task steps, pre_test and corpus_synthesis, under the same rules as batches:
/// a transient failure is retried after a backoff, an attempt past its deadline is
/// abandoned and sent again, and the step fails the experiment once its attempts are spent.
extension Orchestrator {
    func stepFailed(
        _ record: inout ExperimentRecord, _ failure: TaskFailure, worker: String, at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Event {
        let step = record.state == .preTesting ? TaskType.preTest : .corpusSynthesis
        if step == .preTest, failure.code == TaskFailure.rateLimitedCode, try pilotRateLimited(&record, failure, at: now, in: store) {
            try store.save(record)
            return .attemptFailed
        }
        if !failure.permanent, spentStepAttempts(record) < record.retry.maxAttempts {
            record.stepWaiting = true
            let jitter = Self.jitter(record.id, -1, record.stepAttempt)
            record.stepDueAt = now + record.retry.backoff(after: record.stepAttempts, jitter: jitter).seconds
            try store.save(record)
            return .attemptFailed
        }
        let attempts = record.stepAttempts == 1 ? "" : " after \(record.stepAttempts) attempts"
        try fail(&record, "\(step.rawValue) failed\(attempts) on worker \(worker): \(failure)", at: now, in: store)
        return .experimentFailed
    }

    /// The pre-test's own slot in ``AnalysisRecord/rateLimitedAttempts``, below every batch index.
    static let pilotSlot = -1

    /// The step's attempts that count against `max_attempts`: a pilot's refusals for the rate
    /// limit do not.
    func spentStepAttempts(_ record: ExperimentRecord) -> Int {
        guard record.state == .preTesting else { return record.stepAttempts }
        return record.stepAttempts - (record.analysis?.rateLimitedAttempts[Self.pilotSlot] ?? 0)
    }

    /// The pilot was refused for the endpoint's rate limit: as for a batch, the model is held
    /// until its Retry-After and the pre-test goes again then without spending an attempt, up
    /// to ``maxRateLimitedAttempts`` times. False once those are spent.
    private func pilotRateLimited(
        _ record: inout ExperimentRecord, _ failure: TaskFailure, at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Bool {
        guard var analysis = record.analysis else { return false }
        let slot = Self.pilotSlot
        guard analysis.rateLimitedAttempts[slot, default: 0] < Self.maxRateLimitedAttempts else { return false }
        analysis.rateLimitedAttempts[slot, default: 0] += 1
        analysis.ledger.rateLimited += 1
        if let usage = failure.usage { analysis.count(usage, prices: analysis.meteredModel.flatMap { models[$0] }) }
        let until = now + (failure.retryAfterSeconds ?? 1)
        record.analysis = analysis
        try holdModel(of: &record, until: until, at: now, in: store)
        record.stepWaiting = true
        record.stepDueAt = until
        return true
    }

    func fireStepTimer(_ record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws -> Event {
        if record.state == .analysing {
            // While analysing, the timer is the time its model's limits admit the next batch.
            record.stepDueAt = nil
            try dispatchBatches(&record, at: now, in: store)
            try store.save(record)
            guard record.state == .analysing else {
                try emit(record, at: now, in: store)
                return .experimentPaused
            }
            return .dispatchResumed
        }
        guard record.state == .preTesting || record.state == .synthesising else {
            record.stepDueAt = nil
            try store.save(record)
            return .timerVoid
        }
        if !record.stepWaiting, spentStepAttempts(record) >= record.retry.maxAttempts {
            let step = record.state == .preTesting ? "pre_test" : "corpus_synthesis"
            try fail(&record, "\(step) got no result within task_timeout \(record.taskTimeout), \(record.stepAttempts) attempt(s)", at: now, in: store)
            return .experimentFailed
        }
        let timedOut = !record.stepWaiting
        record.stepWaiting = false
        record.stepAttempt += 1
        record.retries += 1
        record.stepDueAt = now + record.taskTimeout.seconds
        try sendStep(&record, at: now, in: store)
        try store.save(record)
        return timedOut ? .attemptTimedOut : .retryDispatched
    }

    /// Every batch has an outcome and the failures are tolerated: one synthesis task for this run.
    func beginSynthesis(_ record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws {
        record.state = .synthesising
        record.synthesisRequests += 1
        record.stepFirstAttempt = record.stepAttempt + 1
        record.stepAttempt = record.stepFirstAttempt
        record.stepWaiting = false
        record.stepDueAt = now + record.taskTimeout.seconds
        record.lastProgressAt = now
        try sendStep(&record, at: now, in: store)
        try store.save(record)
        try emit(record, at: now, in: store)
    }

    /// Stops the walk over the results once they no longer fit inline.
    private struct InlineLimitReached: Error {}

    enum SynthesisInput {
        case inline([[UInt8]])
        case stored(address: String)
    }

    /// The batch results for the synthesis: carried in the task while they fit under
    /// ``inlineSynthesisLimit``, else streamed into the content store as one JSON array. The
    /// same results always make the same blob, so a retried synthesis finds it again. Without
    /// a content store they stay inline; a broker that refuses the message then fails the
    /// experiment with its reason.
    func synthesisInput(of record: ExperimentRecord, in store: some ExperimentStoreTransaction) throws -> SynthesisInput {
        var results: [[UInt8]] = []
        var size = 0
        var overflow = false
        do {
            try store.forEachBatchResult(experimentID: record.id) { result in
                results.append(result)
                size += result.count + 1
                if size > inlineSynthesisLimit, content != nil { throw InlineLimitReached() }
            }
        } catch is InlineLimitReached {
            overflow = true
        }
        guard overflow, let content else { return .inline(results) }
        results = []
        let address = try content.write { append in
            var first = true
            try append(Array("[".utf8))
            try store.forEachBatchResult(experimentID: record.id) { result in
                if !first { try append(Array(",".utf8)) }
                first = false
                try append(result)
            }
            try append(Array("]".utf8))
        }
        return .stored(address: address)
    }

    /// Sends the current step's task. On the wire attempts count within the step and run
    /// (``ExperimentRecord/stepAttempts``), so a first synthesis is attempt 1 whatever the
    /// pre-test took; a synthesis carries its run, which keeps message ids of runs apart.
    private func sendStep(_ record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws {
        let spec = try storedSpec(of: record, documents: record.state != .synthesising, in: store)
        guard record.state == .synthesising else {
            try send(
                TaskMessage(experimentID: record.id, attempt: record.stepAttempts, payload: .preTest(preTestSpec(spec, in: store))), of: record,
                in: store)
            return
        }
        var payload = try synthesisPayload(of: record, spec: spec, in: store)
        switch try synthesisInput(of: record, in: store) {
        case .inline(let results):
            let task = TaskMessage(experimentID: record.id, attempt: record.stepAttempts, run: record.run, payload: .corpusSynthesis(payload))
            try send(task, body: TaskBodyEdit.splicing(results, into: try MessageCoding.encode(task)), of: record, in: store)
        case .stored(let address):
            payload.batchResultsRef = address
            try send(
                TaskMessage(experimentID: record.id, attempt: record.stepAttempts, run: record.run, payload: .corpusSynthesis(payload)), of: record,
                in: store)
        }
    }

    /// The synthesis payload without its batch results, which the caller adds.
    private func synthesisPayload(of record: ExperimentRecord, spec: ExperimentSpec, in store: some ExperimentStoreTransaction) throws
        -> SynthesisPayload
    {
        var failed: [FailedBatch] = []
        for batch in try store.batches(experimentID: record.id, in: [.failed], limit: Int.max) {
            let planned = try store.batchTask(experimentID: record.id, index: batch.index).map { try MessageCoding.decode(TaskMessage.self, from: $0) }
            var ids: [String] = []
            if case .analyseBatch(let payload)? = planned?.payload { ids = payload.documents.map(\.id) }
            failed.append(FailedBatch(batchIndex: batch.index, documentIds: ids, attempts: batch.attempt, error: batch.lastError ?? "unknown"))
        }
        var payload = SynthesisPayload(
            experimentName: spec.name, researchQuestion: spec.researchQuestion, groupBy: spec.groupBy, framework: spec.framework,
            batchResults: [], coverage: Coverage(documentsPlanned: record.documentsPlanned, failedBatches: failed), run: record.run)
        let replicates = spec.analyser?.replicateCount ?? 1
        let models = spec.modelNames.count > 1 ? spec.modelNames : nil
        if replicates > 1 || models != nil {
            payload.replicates = SynthesisPayload.Replicates(
                count: replicates, batchesPerReplicate: record.batchCount / (replicates * (models?.count ?? 1)), models: models)
        }
        return payload
    }

    /// The synthesis task of a completed experiment's last run, rebuilt from what the store
    /// kept: the same payload the synthesis agent was sent, always with the results inline.
    /// `report --rebuild` renders it again without an analyser; nil when the experiment is
    /// unknown or not completed.
    package func rebuiltSynthesisTask(experimentID: String, in store: some ExperimentStoreTransaction) throws -> (task: [UInt8], spec: [UInt8])? {
        guard let record = try store.experiment(id: experimentID), record.state == .completed, let stored = try store.spec(experimentID: record.id)
        else { return nil }
        let spec = try storedSpec(of: record, documents: false, in: store)
        var results: [[UInt8]] = []
        try store.forEachBatchResult(experimentID: record.id) { results.append($0) }
        let task = TaskMessage(
            experimentID: record.id, attempt: record.stepAttempts, run: record.run,
            payload: .corpusSynthesis(try synthesisPayload(of: record, spec: spec, in: store)))
        return (try TaskBodyEdit.splicing(results, into: try MessageCoding.encode(task)), stored)
    }
}
