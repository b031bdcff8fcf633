import Foundation

extension Orchestrator {
    /// Admits a batch of a metered model against the model's shared buckets; nil when it may
    /// go now (or its model is not metered), else when it may.
    func admit(
        _ batch: BatchRecord, planned: [UInt8], of record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Date? {
        guard var analysis = record.analysis, let model = analysis.meteredModel, let limits = models[model],
            limits.requestsPerMinute != nil || limits.tokensPerMinute != nil
        else { return nil }
        // Only metered experiments pay for this decode, and they run at a model's pace.
        let task = try MessageCoding.decode(TaskMessage.self, from: planned)
        guard case .analyseBatch(let payload) = task.payload else { return nil }
        let sizes = payload.documents.map(\.size)
        // The prompt around each document: the framework (as the default prompt lists it, or
        // the template) and the instructions, over-counted by taking the framework's JSON.
        let overhead = try MessageCoding.encode(payload.framework).count + (payload.analyser?.prompt?.utf8.count ?? 0) + 600
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
        guard var analysis = record.analysis, let model = analysis.meteredModel else { return }
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

    /// Attempts the batch has spent: those the endpoint refused for its rate limit do not count.
    func spentAttempts(_ batch: BatchRecord, of record: ExperimentRecord) -> Int {
        batch.attempt - (record.analysis?.rateLimitedAttempts[batch.index] ?? 0)
    }

    /// The endpoint refused the attempt for its rate limit: the model is held until its
    /// Retry-After (every experiment on it waits), and the batch goes again then without
    /// spending an attempt.
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
            analysis.rateLimitedAttempts[batch.index, default: 0] += 1
            record.analysis = analysis
            if let model = analysis.meteredModel, let limits = models[model] {
                var state = try store.modelRate(model: model) ?? ModelRateState(limits: limits, now: now, headroom: rateHeadroom)
                state.hold(until: until)
                try store.saveModelRate(state, model: model)
            }
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
