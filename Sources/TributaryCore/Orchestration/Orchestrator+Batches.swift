import Foundation

extension Orchestrator {
    /// Sends pending batches while the experiment has room under `max_in_flight` and its
    /// model's limits allow; when they don't, the experiment's timer wakes it when they will.
    /// A spent budget pauses the experiment instead (the caller saves and announces it).
    func dispatchBatches(_ record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws {
        guard record.state == .analysing else { return }
        if record.budgetReached, !record.allBatchesEnded {
            hold(&record, for: .budget, at: now)
            return
        }
        let capacity = min(record.dispatchCapacity, record.budgetAllowance ?? .max)
        guard capacity > 0 else { return }
        for var batch in try store.pendingBatches(experimentID: record.id, limit: capacity) {
            if let wait = try dispatch(&batch, of: &record, at: now, in: store) {
                record.stepDueAt = min(record.stepDueAt ?? wait, wait)
                return
            }
            record.inFlight += 1
        }
    }

    /// Sends the batch's next attempt and starts its deadline. Returns nil once sent, or the
    /// time its model's limits will admit it, having changed nothing.
    @discardableResult
    func dispatch(_ batch: inout BatchRecord, of record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction) throws -> Date? {
        guard let planned = try store.batchTask(experimentID: record.id, index: batch.index) else {
            throw ContractError(.invalidExperiment, "batch \(batch.index) of experiment \(record.id) has no stored task")
        }
        if let wait = try admit(batch, planned: planned, of: &record, at: now, in: store) { return wait }
        batch.attempt += 1
        batch.state = .dispatched
        batch.dispatchedAt = now
        batch.dueAt = now + record.taskTimeout.seconds
        try store.save(batch)
        try sendBatch(planned, index: batch.index, of: record, attempt: batch.attempt, in: store)
        return nil
    }

    /// An attempt failed (a failed result, a dead letter, or its deadline passed): retry it
    /// after a backoff if it may be retried, else the batch fails for good.
    func attemptFailed(
        _ batch: inout BatchRecord, of record: inout ExperimentRecord, reason: String, permanent: Bool, worker: String?,
        at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> Event {
        batch.lastError = reason
        if let worker { batch.workerID = worker }
        record.inFlight -= 1
        if !permanent, spentAttempts(batch, of: record) < record.retry.maxAttempts {
            batch.state = .retryWait
            let jitter = Self.jitter(record.id, batch.index, batch.attempt)
            batch.dueAt = now + record.retry.backoff(after: batch.attempt, jitter: jitter).seconds
            record.retryWaiting += 1
            try store.save(batch)
            try store.save(record)
            return .attemptFailed
        }
        batch.state = .failed
        batch.dueAt = nil
        try store.save(batch)
        record.batchesFailed += 1
        record.lastProgressAt = now
        if record.failuresExceedTolerance {
            let allowed = record.tolerance.allowedFailures(of: record.batchCount)
            try fail(
                &record,
                "batch \(batch.index) failed after \(batch.attempt) attempt(s)\(batch.workerID.map { " on worker \($0)" } ?? ""): \(reason) "
                    + "(\(record.batchesFailed) of \(record.batchCount) batches failed; tolerated: \(allowed))",
                at: now, in: store)
            return .experimentFailed
        }
        return try batchEnded(&record, .batchFailed, at: now, in: store)
    }

    /// A batch got its outcome: top up the in-flight batches, and synthesise once all have one.
    /// A paused experiment is never synthesised: it waits for `resume` with every batch ended.
    /// One whose budget ran out with its last batch is: nothing is left to spend on.
    func batchEnded(_ record: inout ExperimentRecord, _ event: Event, at now: Date, in store: some ExperimentStoreTransaction) throws -> Event {
        if record.allBatchesEnded, record.state == .analysing {
            try beginSynthesis(&record, at: now, in: store)
            return .synthesisRequested
        }
        let wasPaused = record.state == .paused
        try dispatchBatches(&record, at: now, in: store)
        try store.save(record)
        if !wasPaused, record.state == .paused {
            try emit(record, at: now, in: store)
            return .experimentPaused
        }
        // Progress is reported for the first batch and then about every 1 %: a large fan-out
        // would otherwise spend as many broker operations on events as on the work itself.
        let ended = record.batchesCompleted + record.batchesFailed
        if ended == 1 || ended % max(1, record.batchCount / 100) == 0 || event == .batchFailed || record.allBatchesEnded {
            try emit(record, at: now, in: store)
        }
        return event
    }

    /// Fires the timers due at `now`: attempts whose retry time has come are sent again, and
    /// attempts past their deadline are abandoned (and re-sent while attempts remain). The
    /// straggler may still report; whichever attempt succeeds first is counted.
    package func fireTimers(at now: Date, limit: Int = 256, in store: some ExperimentStoreTransaction) throws -> [Disposition] {
        var dispositions: [Disposition] = []
        for record in try store.dueExperiments(at: now, limit: limit) {
            var record = record
            let step: TaskType = record.state == .synthesising ? .corpusSynthesis : record.state == .analysing ? .analyseBatch : .preTest
            dispositions.append(Disposition(try fireStepTimer(&record, at: now, in: store), experimentID: record.id, taskType: step))
        }
        var records: [String: ExperimentRecord] = [:]
        for var batch in try store.dueBatches(at: now, limit: limit) {
            guard var record = try records[batch.experimentID] ?? store.experiment(id: batch.experimentID), record.state == .analysing else {
                // The experiment ended or left analysing, and its timers are void; or it is
                // paused, and resuming re-arms them.
                batch.dueAt = nil
                try store.save(batch)
                continue
            }
            if record.budgetReached {
                // Spent by results counted since its last dispatch: nothing more goes out.
                hold(&record, for: .budget, at: now)
                try store.save(record)
                try emit(record, at: now, in: store)
                records[record.id] = record
                batch.dueAt = nil
                try store.save(batch)
                dispositions.append(Disposition(.experimentPaused, experimentID: record.id, taskType: .analyseBatch))
                continue
            }
            let event: Event
            if batch.state == .retryWait {
                if let wait = try dispatch(&batch, of: &record, at: now, in: store) {
                    // Its model's limits: still waiting, until they admit it.
                    batch.dueAt = wait
                    try store.save(batch)
                    records[record.id] = record
                    continue
                }
                record.retryWaiting -= 1
                record.inFlight += 1
                record.retries += 1
                try store.save(record)
                event = .retryDispatched
            } else {
                let reason = "no result within task_timeout \(record.taskTimeout) (attempt \(batch.attempt))"
                if spentAttempts(batch, of: record) < record.retry.maxAttempts {
                    // Abandoned, not failed: the next attempt goes out at once, no backoff.
                    batch.lastError = reason
                    if let wait = try dispatch(&batch, of: &record, at: now, in: store) {
                        // The next attempt waits for its model's limits, as a retry does.
                        batch.state = .retryWait
                        batch.dueAt = wait
                        try store.save(batch)
                        record.inFlight -= 1
                        record.retryWaiting += 1
                    } else {
                        record.retries += 1
                    }
                    try store.save(record)
                    event = .attemptTimedOut
                } else {
                    event = try attemptFailed(&batch, of: &record, reason: reason, permanent: true, worker: nil, at: now, in: store)
                }
            }
            records[record.id] = record
            dispositions.append(
                Disposition(
                    event, experimentID: record.id, taskID: TaskType.analyseBatch.taskID(experimentID: record.id, batchIndex: batch.index),
                    batchIndex: batch.index, taskType: .analyseBatch))
        }
        return dispositions
    }

    /// A deterministic spread in [0, 1) per attempt: retries of many batches that failed
    /// together are not sent in lockstep, and tests see the same schedule every run.
    static func jitter(_ experimentID: String, _ index: Int, _ attempt: Int) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(experimentID)/\(index)/\(attempt)".utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return Double(hash >> 11) / Double(1 << 53)
    }
}
