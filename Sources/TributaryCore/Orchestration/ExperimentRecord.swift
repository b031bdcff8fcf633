import Foundation

/// The orchestrator's durable state for one experiment.
///
/// The submitted spec (the whole corpus) is stored beside it, once, and read only when
/// tasks are built: the record itself is rewritten on every result and must stay small.
public struct ExperimentRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var state: ExperimentState
    public var batchCount: Int
    public var batchesCompleted: Int
    public var duplicatesIgnored: Int
    public var synthesisRequests: Int
    public var warnings: [String]
    public var failure: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// The synthesis output, JSON-encoded, once completed.
    public var report: [UInt8]?

    public init(
        id: String, name: String, state: ExperimentState, batchCount: Int = 0, batchesCompleted: Int = 0,
        duplicatesIgnored: Int = 0, synthesisRequests: Int = 0, warnings: [String] = [], failure: String? = nil,
        createdAt: Date, updatedAt: Date, report: [UInt8]? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.batchCount = batchCount
        self.batchesCompleted = batchesCompleted
        self.duplicatesIgnored = duplicatesIgnored
        self.synthesisRequests = synthesisRequests
        self.warnings = warnings
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.report = report
    }
}
