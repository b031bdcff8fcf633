import Foundation

/// The orchestrator's durable state for one experiment.
///
/// The submitted spec (the whole corpus) is stored beside it, once, and read only when
/// tasks are built: the record itself is rewritten on every result and must stay small.
package struct ExperimentRecord: Sendable, Hashable {
    package var id: String
    package var name: String
    package var state: ExperimentState
    package var batchCount: Int
    package var batchesCompleted: Int
    package var duplicatesIgnored: Int
    package var synthesisRequests: Int
    package var warnings: [String]
    package var failure: String?
    package var createdAt: Date
    package var updatedAt: Date
    /// The synthesis output, JSON-encoded, once completed.
    package var report: [UInt8]?

    package init(
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
