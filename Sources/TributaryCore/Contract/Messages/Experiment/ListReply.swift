/// The answer to a ``ListQuery``: each experiment's status (without its report), newest first.
public struct ListReply: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experiments: [ExperimentStatus]

    public init(experiments: [ExperimentStatus]) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experiments = experiments
    }
}
