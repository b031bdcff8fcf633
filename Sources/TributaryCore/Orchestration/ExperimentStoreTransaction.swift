/// Durable storage of experiments, batch results and the outbox, as seen inside one transaction.
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
    /// Records a batch's result; false if that batch already had one (and nothing changed).
    func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> Bool
    /// Every recorded batch result of the experiment, in batch order.
    func batchResults(experimentID: String) throws -> [[UInt8]]
    /// Adds a message to the outbox.
    func enqueue(_ message: OutboundMessage) throws
}
