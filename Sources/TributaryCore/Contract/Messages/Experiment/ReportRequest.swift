/// Asks the orchestrator for what a completed experiment's report was made from, so the
/// report can be rendered again without any analyser; answered on `reply_to` with a
/// ``ReportReply``. Sent like a status query (routing key `status`), `type` `report_query`.
public struct ReportRequest: Sendable, Hashable, Codable {
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

/// The experiment's status and, once it is completed, its last run's synthesis task as the
/// store rebuilds it: the payload the synthesis agent was sent, with every batch result inline.
public struct ReportReply: Sendable, Hashable, Codable {
    public var experimentID: String
    /// Nil for an unknown experiment.
    public var status: ExperimentStatus?
    /// Nil unless the experiment is completed.
    public var task: TaskMessage?
    /// The experiment as it was submitted (documents, or the manifest's address), with the
    /// task; `tributary export` makes the run lock from it.
    public var spec: ExperimentSpec?

    public init(experimentID: String, status: ExperimentStatus?, task: TaskMessage? = nil, spec: ExperimentSpec? = nil) {
        self.experimentID = experimentID
        self.status = status
        self.task = task
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case status, task, spec
        case experimentID = "experimentId"
    }

    /// The reply with `task` and `spec` spliced in as the bytes the store holds, so thousands
    /// of batch results are not decoded and encoded again on the orchestrator.
    package static func encoded(experimentID: String, status: ExperimentStatus?, task: [UInt8]?, spec: [UInt8]? = nil) throws -> [UInt8] {
        var bytes = try MessageCoding.encode(ReportReply(experimentID: experimentID, status: status))
        guard bytes.last == UInt8(ascii: "}") else { return bytes }
        bytes.removeLast()
        if let task { bytes += Array(#","task":"#.utf8) + task }
        if let spec { bytes += Array(#","spec":"#.utf8) + spec }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
