/// Asks the orchestrator for an experiment's current state; answered on the message's `reply_to`.
public struct StatusQuery: Sendable, Hashable, Codable {
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
