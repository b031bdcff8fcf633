/// Fans batch results back in: counts distinct batch indices per experiment, never events.
///
/// Distinctness is decided by the store inside the same transaction that updates the
/// count, so duplicates, redeliveries and results replayed after a restart can neither
/// complete a set early nor complete it twice.
package struct BatchAggregator: Sendable {
    package enum Outcome: Sendable, Hashable {
        /// A new batch was counted; `completed` of `total` are now in.
        case counted(completed: Int, total: Int)
        /// This new batch was the last one missing: the set is complete. Happens once per experiment.
        case completed(total: Int)
        /// This batch had already been counted; nothing changed but the duplicate tally.
        case duplicate
        /// The index is not part of the experiment's plan.
        case outOfRange
    }

    package init() {}

    package func record(
        batchIndex: Int, result: [UInt8], into record: inout ExperimentRecord, in store: some ExperimentStoreTransaction
    ) throws -> Outcome {
        guard (0..<record.batchCount).contains(batchIndex) else { return .outOfRange }
        guard try store.recordBatchResult(experimentID: record.id, batchIndex: batchIndex, result: result) else {
            record.duplicatesIgnored += 1
            return .duplicate
        }
        record.batchesCompleted += 1
        if record.batchesCompleted == record.batchCount { return .completed(total: record.batchCount) }
        return .counted(completed: record.batchesCompleted, total: record.batchCount)
    }
}
