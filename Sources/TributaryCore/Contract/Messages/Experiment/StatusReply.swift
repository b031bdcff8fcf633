/// The answer to a ``StatusQuery``: the experiment's latest status, or `found: false`.
public struct StatusReply: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var found: Bool
    public var status: ExperimentStatus?
    /// With a detailed query: every batch not succeeded, by index (at most ``maximumBatches``).
    public var batches: [BatchStatus]?

    public static let maximumBatches = 1_000

    public init(experimentID: String, status: ExperimentStatus?, batches: [BatchStatus]? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.found = status != nil
        self.status = status
        self.batches = batches
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, found, status, batches
        case experimentID = "experimentId"
    }
}
