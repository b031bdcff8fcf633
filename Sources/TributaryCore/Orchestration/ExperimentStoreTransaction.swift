import Foundation

/// Durable storage of experiments, their batches and the outbox, as seen inside one transaction.
///
/// Everything the orchestrator does for a batch of incoming messages happens through one
/// of these and is committed at once, before any of those messages is acknowledged.
package protocol ExperimentStoreTransaction: AnyObject {
    func experiment(id: String) throws -> ExperimentRecord?
    /// Stores a new experiment with its JSON-encoded spec.
    func create(_ record: ExperimentRecord, spec: [UInt8]) throws
    /// Updates an existing experiment's record (the spec is never rewritten).
    func save(_ record: ExperimentRecord) throws
    /// The spec stored by ``create(_:spec:)``.
    func spec(experimentID: String) throws -> [UInt8]?
    /// Experiments whose step timer (``ExperimentRecord/stepDueAt``) is due at `now`, earliest first.
    func dueExperiments(at now: Date, limit: Int) throws -> [ExperimentRecord]

    /// Stores part of the experiment's plan: batch `first + i` pending, with `tasks[i]`, its
    /// encoded first-attempt task. A large plan is stored in parts, so it is never all in memory.
    func createBatches(experimentID: String, startingAt first: Int, tasks: [[UInt8]]) throws
    func batch(experimentID: String, index: Int) throws -> BatchRecord?
    /// Updates a batch's state, attempt, times, worker and error (never its task or result).
    func save(_ batch: BatchRecord) throws
    /// The batch's task as planned (attempt 1).
    func batchTask(experimentID: String, index: Int) throws -> [UInt8]?
    /// Records a batch's first result: the batch becomes succeeded and its timer is cleared.
    /// Returns the state it left (`dispatched` or `retryWait`), or nil if it had already
    /// ended (succeeded or failed) and nothing changed. This is the distinctness check.
    func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> BatchStatus.State?
    /// Every succeeded batch's result, in batch order, one at a time: a fan-in of 100,000
    /// batches is never held whole.
    func forEachBatchResult(experimentID: String, _ body: ([UInt8]) throws -> Void) throws
    /// The lowest-indexed pending batches: the next to send. Called on every result while an
    /// experiment has more batches than `max_in_flight`, so it must not walk the batches.
    func pendingBatches(experimentID: String, limit: Int) throws -> [BatchRecord]
    /// Batches in `states`, lowest index first.
    func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) throws -> [BatchRecord]
    /// Batches of any experiment whose timer is due at `now`, earliest first.
    func dueBatches(at now: Date, limit: Int) throws -> [BatchRecord]
    /// Clears every batch timer of the experiment (it has ended).
    func clearBatchTimers(experimentID: String) throws

    /// Adds a message to the outbox.
    func enqueue(_ message: OutboundMessage) throws

    /// A model's request and token buckets, shared by every experiment (and, on a shared
    /// database, every orchestrator): held for the rest of the transaction, so two
    /// dispatches never both take the same tokens. Nil before the model's first dispatch.
    func modelRate(model: String) throws -> ModelRateState?
    func saveModelRate(_ state: ModelRateState, model: String) throws

    /// The result cache's entries for these keys, by key (keys it lacks are absent).
    func cachedAnalyses(keys: [String]) throws -> [String: CachedAnalysis]
    /// Writes entries to the result cache; with `replace`, over any entry with the same key,
    /// else an existing entry stays (another orchestrator made the same analysis first).
    func storeCachedAnalyses(_ entries: [CachedAnalysis], replace: Bool) throws
    /// Keeps a batch's ``BatchCachePlan``, JSON-encoded.
    func saveCachePlan(experimentID: String, batchIndex: Int, plan: [UInt8]) throws
    func cachePlan(experimentID: String, batchIndex: Int) throws -> [UInt8]?
    /// A pending batch whose every document came from the cache: it becomes succeeded with
    /// `result` without ever being sent.
    func completeFromCache(experimentID: String, batchIndex: Int, result: [UInt8]) throws

    /// A hint that these batches' results are about to be recorded: a store whose every
    /// statement is a round trip reads them in one. Results are still judged one by one.
    func expectResults(experimentID: String, batchIndices: [Int]) throws
}

extension ExperimentStoreTransaction {
    /// An embedded store reads a batch as fast as it reads it ahead.
    package func expectResults(experimentID: String, batchIndices: [Int]) throws {}

    package func createBatches(experimentID: String, tasks: [[UInt8]]) throws {
        try createBatches(experimentID: experimentID, startingAt: 0, tasks: tasks)
    }

    /// Every succeeded batch's result, in batch order, all at once.
    package func batchResults(experimentID: String) throws -> [[UInt8]] {
        var results: [[UInt8]] = []
        try forEachBatchResult(experimentID: experimentID) { results.append($0) }
        return results
    }
}
