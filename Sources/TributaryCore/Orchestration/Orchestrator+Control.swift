import Foundation

/// What operators ask of a running experiment: cancel it, or re-run what failed.
extension Orchestrator {
    /// Cancels at once: no synthesis is ever sent, every timer stops, and agents skip its
    /// remaining tasks once they see the `cancelled` event. An ended experiment is left as it is.
    func cancel(_ id: String, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        guard var record = try store.experiment(id: id) else { return Disposition(.unknownExperiment, experimentID: id) }
        guard !record.state.isTerminal else { return Disposition(.cancelIgnored, experimentID: id) }
        record.state = .cancelled
        record.updatedAt = now
        record.lastProgressAt = now
        record.stepDueAt = nil
        record.stepWaiting = false
        try store.clearBatchTimers(experimentID: id)
        try store.save(record)
        try emit(record, at: now, in: store)
        return Disposition(.experimentCancelled, experimentID: id)
    }

    /// Re-runs the batches that did not succeed, of an experiment that completed with failed
    /// batches or failed after planning them; then synthesises again over all results. An
    /// experiment whose batches all succeeded but whose synthesis failed gets its synthesis
    /// again. The run number goes up, and each run gets exactly one synthesis.
    func rerun(_ id: String, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        guard var record = try store.experiment(id: id) else { return Disposition(.unknownExperiment, experimentID: id) }
        let planned = record.batchCount > 0
        let rerunnable = (record.state == .completed && record.batchesFailed > 0) || (record.state == .failed && planned)
        guard rerunnable else { return Disposition(.retryIgnored, experimentID: id) }
        for var batch in try store.batches(experimentID: id, in: [.failed, .dispatched, .retryWait], limit: Int.max) {
            batch.state = .pending
            batch.dueAt = nil
            try store.save(batch)
        }
        record.state = .analysing
        record.run += 1
        record.batchesFailed = 0
        record.inFlight = 0
        record.retryWaiting = 0
        record.failure = nil
        record.report = nil
        record.stepDueAt = nil
        record.stepWaiting = false
        record.updatedAt = now
        record.lastProgressAt = now
        if record.allBatchesEnded {
            // Nothing to analyse again: the synthesis itself failed.
            try beginSynthesis(&record, at: now, in: store)
        } else {
            try dispatchBatches(&record, at: now, in: store)
            try store.save(record)
            try emit(record, at: now, in: store)
        }
        return Disposition(.experimentRerun, experimentID: id)
    }
}

/// Pausing: by hand, or by the experiment's budget. A paused experiment sends nothing; the
/// results of the tasks it had sent are counted; timers that come due while it is paused are
/// set aside and re-armed when it resumes. Its state is stored like any other, so a restart
/// finds it paused.
extension Orchestrator {
    func pause(_ id: String, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        guard var record = try store.experiment(id: id) else { return Disposition(.unknownExperiment, experimentID: id) }
        guard record.state == .analysing else { return Disposition(.pauseIgnored, experimentID: id) }
        hold(&record, for: .operator, at: now)
        try store.save(record)
        try emit(record, at: now, in: store)
        return Disposition(.experimentPaused, experimentID: id)
    }

    /// Resumes a paused experiment, with its budget raised first where the request says. One
    /// whose budget is still spent stays paused (its new limits kept): resuming it would only
    /// pause it again at the next result.
    func resume(_ request: ExperimentControlRequest, at now: Date, in store: some ExperimentStoreTransaction) throws -> Disposition {
        let id = request.experimentID
        guard var record = try store.experiment(id: id) else { return Disposition(.unknownExperiment, experimentID: id) }
        guard record.state == .paused else { return Disposition(.resumeIgnored, experimentID: id) }
        if var analysis = record.analysis, request.maxCost != nil || request.maxTokens != nil {
            var budget = analysis.budget ?? Budget()
            if let maxCost = request.maxCost { budget.maxCost = maxCost }
            if let maxTokens = request.maxTokens { budget.maxTokens = maxTokens }
            analysis.budget = budget
            record.analysis = analysis
        }
        record.updatedAt = now
        if record.budgetReached, !record.allBatchesEnded {
            record.pauseReason = .budget
            try store.save(record)
            try emit(record, at: now, in: store)
            return Disposition(.resumeRefused, experimentID: id)
        }
        record.state = .analysing
        record.pauseReason = nil
        record.lastProgressAt = now
        // Timers that came due while paused were set aside; they fire on the next tick.
        for var batch in try store.batches(experimentID: id, in: [.dispatched, .retryWait], limit: Int.max) where batch.dueAt == nil {
            batch.dueAt = now
            try store.save(batch)
        }
        if record.allBatchesEnded {
            try beginSynthesis(&record, at: now, in: store)
            return Disposition(.experimentResumed, experimentID: id)
        }
        try dispatchBatches(&record, at: now, in: store)
        try store.save(record)
        try emit(record, at: now, in: store)
        return Disposition(.experimentResumed, experimentID: id)
    }

    /// Pauses an analysing experiment in memory; the caller saves and announces it.
    func hold(_ record: inout ExperimentRecord, for reason: PauseReason, at now: Date) {
        record.state = .paused
        record.pauseReason = reason
        record.stepDueAt = nil
        record.updatedAt = now
        record.lastProgressAt = now
    }
}
