import Foundation

/// Fans batch results back in: counts distinct batch indices per experiment, never events.
///
/// Distinctness is decided by the store inside the same transaction that updates the
/// counts: a batch leaves `dispatched` or `retry_wait` once, to `succeeded` or `failed`.
/// Duplicates, redeliveries, results of superseded attempts and results replayed after a
/// restart can neither complete a set early nor complete it twice. Whichever attempt's
/// success arrives first is the one counted; a failure counts only for the current attempt.
package struct BatchAggregator: Sendable {
    package init() {}

    func record(
        _ result: TaskResult<RawJSON>, into record: inout ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction,
        orchestrator: Orchestrator
    ) throws -> Orchestrator.Event {
        guard let index = result.batchIndex, (0..<record.batchCount).contains(index) else { return .batchOutOfRange }
        if result.status == .completed {
            let merged = try orchestrator.mergeWithCache(result.result?.bytes ?? Array("null".utf8), batchIndex: index, of: record, at: now, in: store)
            guard let previous = try store.recordBatchResult(experimentID: record.id, batchIndex: index, result: merged.result) else {
                record.duplicatesIgnored += 1
                try store.save(record)
                return .duplicateResult
            }
            if !merged.entries.isEmpty, let mode = record.analysis?.cache?.mode {
                // In the transaction that counts the batch: counted and cached, or neither.
                try store.storeCachedAnalyses(merged.entries, replace: mode == .refresh)
                record.analysis?.cache?.documentsStored += merged.entries.count
            }
            if previous == .retryWait { record.retryWaiting -= 1 } else { record.inFlight -= 1 }
            // Only a metered experiment's result is read for its usage.
            if record.analysis?.meteredModel != nil {
                try orchestrator.settleModelUse(
                    ModelUsageReader.usage(in: result.result?.bytes ?? []), batchIndex: index, of: &record, at: now, in: store)
            }
            record.batchesCompleted += 1
            record.lastProgressAt = now
            return try orchestrator.batchEnded(&record, .batchCounted, at: now, in: store)
        }
        guard var batch = try store.batch(experimentID: record.id, index: index), batch.state == .dispatched, batch.attempt == result.attempt else {
            // A failure of an attempt already superseded or abandoned, or of a batch that has ended.
            record.duplicatesIgnored += 1
            try store.save(record)
            return .duplicateResult
        }
        let failure = result.error ?? TaskFailure(code: "unknown", message: "no reason given")
        if failure.isRateLimited, record.analysis?.meteredModel != nil {
            return try orchestrator.rateLimited(&batch, of: &record, failure: failure, worker: result.workerID, at: now, in: store)
        }
        try orchestrator.settleModelUse(failure.usage, batchIndex: index, of: &record, at: now, in: store)
        return try orchestrator.attemptFailed(
            &batch, of: &record, reason: failure.description, permanent: failure.permanent, worker: result.workerID, at: now, in: store)
    }
}
