/// Asks the orchestrator to cancel an experiment; answered on `reply_to` with a
/// ``StatusReply`` holding the experiment's state afterwards. Idempotent: an experiment
/// that has already ended is left as it is, and the reply says so by its state.
public struct CancelRequest: Sendable, Hashable, Codable {
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
