import Foundation

/// Submitted by a client to start an experiment.
public struct ExperimentRequest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var submittedAt: Date
    public var experiment: ExperimentSpec

    public init(experimentID: String, submittedAt: Date, experiment: ExperimentSpec) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = experimentID
        self.submittedAt = submittedAt
        self.experiment = experiment
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, submittedAt, experiment
        case experimentID = "experimentId"
    }
}
