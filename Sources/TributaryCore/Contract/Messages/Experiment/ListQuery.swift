/// Asks the orchestrator for its most recent experiments, newest first; answered on
/// `reply_to` with a ``ListReply``. Sent like a status query (routing key `status`), with
/// `type` `list_query`.
public struct ListQuery: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    /// Only experiments in this state; all when nil.
    public var state: ExperimentState?
    public var limit: Int
    /// Experiments to skip, newest first: pages through every one (`tributary list --all`).
    /// Absent means 0.
    public var offset: Int?

    public static let maximumLimit = 1_000

    public init(state: ExperimentState? = nil, limit: Int = 20, offset: Int? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.state = state
        self.limit = limit
        self.offset = offset
    }
}
