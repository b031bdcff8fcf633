/// Asks the orchestrator to re-run the batches of an experiment that failed for good (it
/// completed with failed batches, or failed), then synthesise again over all results.
/// Answered on `reply_to` with a ``StatusReply``; an experiment with nothing to re-run is
/// left as it is.
public struct RetryRequest: Sendable, Hashable, Codable {
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
