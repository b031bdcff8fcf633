import Foundation

/// A snapshot of one experiment: published as an event on every state change, and returned
/// by a status query.
public struct ExperimentStatus: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var name: String
    public var state: ExperimentState
    public var batchCount: Int
    public var batchesCompleted: Int
    /// Messages about this experiment that changed nothing because they repeat one already
    /// applied: a second request with the same experiment id, a second result for a task
    /// already counted, or a result arriving after the experiment left that task's step
    /// (including after it failed).
    public var duplicatesIgnored: Int
    /// How many synthesis requests the orchestrator has issued for this experiment; 1 once it reaches synthesising.
    public var synthesisRequests: Int
    public var warnings: [String]
    public var error: String?
    /// The synthesis output, on `completed` only.
    public var report: JSONValue?
    public var at: Date

    package init(record: ExperimentRecord, report: JSONValue? = nil, at: Date) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = record.id
        self.name = record.name
        self.state = record.state
        self.batchCount = record.batchCount
        self.batchesCompleted = record.batchesCompleted
        self.duplicatesIgnored = record.duplicatesIgnored
        self.synthesisRequests = record.synthesisRequests
        self.warnings = record.warnings
        self.error = record.failure
        self.report = report
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, name, state, batchCount, batchesCompleted, duplicatesIgnored, synthesisRequests
        case warnings, error, report, at
        case experimentID = "experimentId"
    }
}
