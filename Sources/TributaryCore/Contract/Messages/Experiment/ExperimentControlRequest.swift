/// An operator's request about one experiment, answered on `reply_to` with a ``StatusReply``
/// holding the experiment's state afterwards. The AMQP `type` says which:
///
/// - `experiment_cancel` (routing key `cancel`): cancel it. Idempotent; an experiment that
///   has already ended is left as it is, and the reply says so by its state.
/// - `experiment_retry` (routing key `retry`): re-run the batches that failed for good (it
///   completed with failed batches, or failed after planning them), then synthesise again
///   over all results. An experiment with nothing to re-run is left as it is.
public struct ExperimentControlRequest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String

    public init(experimentID: String) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion
        case experimentID = "experimentId"
    }
}
