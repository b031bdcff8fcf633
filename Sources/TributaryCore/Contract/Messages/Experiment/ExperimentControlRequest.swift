/// An operator's request about one experiment, answered on `reply_to` with a ``StatusReply``
/// holding the experiment's state afterwards. The AMQP `type` says which:
///
/// - `experiment_cancel` (routing key `cancel`): cancel it. Idempotent; an experiment that
///   has already ended is left as it is, and the reply says so by its state.
/// - `experiment_retry` (routing key `retry`): re-run the batches that failed for good (it
///   completed with failed batches, or failed after planning them), then synthesise again
///   over all results. An experiment with nothing to re-run is left as it is.
/// - `experiment_pause` (routing key `pause`): an analysing experiment stops sending tasks;
///   the results of those already sent are counted. Any other state is left as it is.
/// - `experiment_resume` (routing key `resume`): a paused experiment goes on, with its budget
///   raised to `max_cost` / `max_tokens` where given. One whose budget is still spent stays
///   paused, and the reply says so.
public struct ExperimentControlRequest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    /// `experiment_resume` only: the experiment's new budget limits.
    public var maxCost: Double?
    public var maxTokens: Int?

    public init(experimentID: String, maxCost: Double? = nil, maxTokens: Int? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.maxCost = maxCost
        self.maxTokens = maxTokens
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion
        case experimentID = "experimentId"
        case maxCost
        case maxTokens
    }
}
