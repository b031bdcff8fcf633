/// Asks the orchestrator for an experiment's current state; answered on the message's `reply_to`.
public struct StatusQuery: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    /// Also list the batches that are not done, and those that failed (for `tributary explain`).
    public var detail: Bool

    public init(experimentID: String, detail: Bool = false) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.detail = detail
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        experimentID = try container.decode(String.self, forKey: .experimentID)
        detail = try container.decodeIfPresent(Bool.self, forKey: .detail) ?? false
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, detail
        case experimentID = "experimentId"
    }
}
