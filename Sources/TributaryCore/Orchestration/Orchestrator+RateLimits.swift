import Foundation

extension Orchestrator {
    /// Admits a batch of a metered model against the model's shared buckets; nil when it may
    /// go now (or its model is not metered), else when it may.
    func admit(
        _ batch: BatchRecord, planned: [UInt8], of record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Date? {
        guard var analysis = record.analysis, let model = analysis.meteredModel(ofBatch: batch.index), let limits = models[model],
            limits.requestsPerMinute != nil || limits.tokensPerMinute != nil
        else { return nil }
        // Only metered experiments pay for this decode, and they run at a model's pace.
        let task = try MessageCoding.decode(TaskMessage.self, from: planned)
        guard case .analyseBatch(let payload) = task.payload else { return nil }
        let sizes = payload.documents.map(\.size)
        let overhead = try TokenEstimator.promptOverheadBytes(framework: payload.framework, template: payload.analyser?.prompt)
        let estimate = analysis.estimate(documentBytes: sizes, promptOverheadBytes: overhead)
        var state = try store.modelRate(model: model) ?? ModelRateState(limits: limits, now: now, headroom: rateHeadroom)
        let admission = state.admit(calls: max(1, sizes.count), estimatedTokens: estimate, limits: limits, now: now, headroom: rateHeadroom)
        try store.saveModelRate(state, model: model)
        switch admission {
        case .admitted:
            analysis.reservations[batch.index] = estimate
            record.analysis = analysis
            return nil
        case .wait(let until, _):
            return until
        }
    }

    /// A batch's attempt ended with what it spent on its model (a result's or a failure's
    /// usage): counted into the ledger once, and the model's buckets corrected from its estimate.
    func settleModelUse(
        _ usage: ModelUsage?, batchIndex: Int, of record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction
    ) throws {
        guard var analysis = record.analysis, let model = analysis.meteredModel(ofBatch: batchIndex) else { return }
        let limits = models[model]
        let reserved = analysis.reservations.removeValue(forKey: batchIndex)
        if let usage { analysis.count(usage, prices: limits) }
        if let limits, let reserved, var state = try store.modelRate(model: model) {
            state.correct(
                estimatedTokens: reserved, actualTokens: usage?.totalTokens ?? 0, extraCalls: usage?.repairs ?? 0, limits: limits, now: now,
                headroom: rateHeadroom)
            try store.saveModelRate(state, model: model)
        }
        record.analysis = analysis
    }

    /// The pilot's calls are paid like any others: into the ledger, and out of the model's
    /// buckets, which never admitted them. Then the whole run is estimated from them.
    func accountForPilot(
        _ plan: PreTestResult, spec: ExperimentSpec, of record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction
    ) throws {
        guard var analysis = record.analysis, let model = analysis.meteredModel else { return }
        let limits = models[model]
        if let pilot = plan.pilot, pilot.usage.requests > 0 {
            analysis.count(pilot.usage, prices: limits)
            if let limits, limits.requestsPerMinute != nil || limits.tokensPerMinute != nil {
                var state = try store.modelRate(model: model) ?? ModelRateState(limits: limits, now: now, headroom: rateHeadroom)
                state.correct(
                    estimatedTokens: 0, actualTokens: pilot.usage.totalTokens, extraCalls: pilot.usage.requests, limits: limits, now: now,
                    headroom: rateHeadroom)
                try store.saveModelRate(state, model: model)
            }
        }
        analysis.estimate = CostEstimate.make(
            // Every replicate of every model is a call of its own (priced at the first model's rates).
            documents: record.documentsPlanned * Self.analysesPerDocument(spec), bytes: (plan.corpusBytes ?? 0) * Self.analysesPerDocument(spec),
            promptOverheadBytes: try TokenEstimator.promptOverheadBytes(framework: spec.framework, template: spec.analyser?.prompt),
            maxOutputTokens: analysis.maxOutputTokens, limits: limits, pilot: plan.pilot)
        record.analysis = analysis
    }

    /// Analyses of each document: one per replicate of each model.
    static func analysesPerDocument(_ spec: ExperimentSpec) -> Int { (spec.analyser?.replicateCount ?? 1) * max(spec.modelNames.count, 1) }

    /// The endpoint asked for a wait: the model dispatches nothing, for any experiment, until
    /// `until`, and the experiment's ledger counts the time it adds. `batchIndex` names the
    /// model of an experiment with several; nil is the pilot's, the first model.
    func holdModel(
        of record: inout ExperimentRecord, batchIndex: Int? = nil, until: Date, at now: Date, in store: some ExperimentStoreTransaction
    ) throws {
        guard let model = batchIndex.map({ record.analysis?.meteredModel(ofBatch: $0) }) ?? record.analysis?.meteredModel, let limits = models[model]
        else { return }
        var state = try store.modelRate(model: model) ?? ModelRateState(limits: limits, now: now, headroom: rateHeadroom)
        record.analysis?.ledger.rateLimitWaitSeconds += max(0, until.timeIntervalSince(max(now, state.heldUntil ?? now)))
        state.hold(until: until)
        try store.saveModelRate(state, model: model)
    }

    /// Attempts the batch has spent: those the endpoint refused for its rate limit do not count.
    func spentAttempts(_ batch: BatchRecord, of record: ExperimentRecord) -> Int {
        batch.attempt - (record.analysis?.rateLimitedAttempts[batch.index] ?? 0)
    }

    /// Refusals for the rate limit a batch may get before further ones spend its attempts as
    /// any failure does: an endpoint that never admits it must not hold it for ever.
    static let maxRateLimitedAttempts = 50

    /// The endpoint refused the attempt for its rate limit: the model is held until its
    /// Retry-After (every experiment on it waits), and the batch goes again then without
    /// spending an attempt, up to ``maxRateLimitedAttempts`` times.
    func rateLimited(
        _ batch: inout BatchRecord, of record: inout ExperimentRecord, failure: TaskFailure, worker: String?, at now: Date,
        in store: some ExperimentStoreTransaction
    ) throws -> Event {
        try settleModelUse(failure.usage, batchIndex: batch.index, of: &record, at: now, in: store)
        // Without a Retry-After, a second: long enough not to hammer the endpoint, short
        // enough that the limiter, not this wait, sets the pace.
        let until = now + (failure.retryAfterSeconds ?? 1)
        if var analysis = record.analysis {
            analysis.ledger.rateLimited += 1
            guard analysis.rateLimitedAttempts[batch.index, default: 0] < Self.maxRateLimitedAttempts else {
                record.analysis = analysis
                return try attemptFailed(
                    &batch, of: &record, reason: "\(failure.description) (refused for the rate limit \(Self.maxRateLimitedAttempts) times)", permanent: false,
                    worker: worker, at: now, in: store)
            }
            analysis.rateLimitedAttempts[batch.index, default: 0] += 1
            record.analysis = analysis
            try holdModel(of: &record, batchIndex: batch.index, until: until, at: now, in: store)
        }
        batch.lastError = failure.description
        if let worker { batch.workerID = worker }
        batch.state = .retryWait
        batch.dueAt = until
        try store.save(batch)
        record.inFlight -= 1
        record.retryWaiting += 1
        try store.save(record)
        return .attemptFailed
    }
}
