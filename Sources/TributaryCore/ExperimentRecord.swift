import Foundation

/// The orchestrator's durable state for one experiment.
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
    /// The submitted experiment, JSON-encoded; needed again to build the batch tasks.
    public var spec: [UInt8]
    /// The synthesis output, JSON-encoded, once completed.
    public var report: [UInt8]?

    public init(
        id: String, name: String, state: ExperimentState, batchCount: Int = 0, batchesCompleted: Int = 0,
        duplicatesIgnored: Int = 0, synthesisRequests: Int = 0, warnings: [String] = [], failure: String? = nil,
        createdAt: Date, updatedAt: Date, spec: [UInt8], report: [UInt8]? = nil
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
        self.spec = spec
        self.report = report
    }
}
