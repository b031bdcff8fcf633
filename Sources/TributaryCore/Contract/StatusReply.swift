/// The answer to a ``StatusQuery``: the experiment's latest status, or `found: false`.
public struct StatusReply: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var found: Bool
    public var status: ExperimentStatus?

    public init(experimentID: String, status: ExperimentStatus?) {
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
