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

/// The answer to a ``StatusQuery``: the experiment's latest status, or `found: false`.
public struct StatusReply: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var found: Bool
    public var status: ExperimentStatusEvent?

    public init(experimentID: String, status: ExperimentStatusEvent?) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.found = status != nil
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, found, status
        case experimentID = "experimentId"
    }
}
