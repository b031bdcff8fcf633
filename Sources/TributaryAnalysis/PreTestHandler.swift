import TributaryCore

/// Validates the experiment and plans its batches; a failed validation fails the experiment
/// with every error listed, before anything is fanned out.
public struct PreTestHandler: TaskHandler {
    public let taskType = TaskType.preTest

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        guard case .preTest(let spec) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected a pre_test payload") }
        let report = ExperimentValidator.validate(spec)
        guard report.errors.isEmpty else {
            throw TaskFailure(code: "invalid_experiment", message: report.errors.joined(separator: "; "))
        }
        let plan = PreTestResult(
            batches: BatchPlanner.plan(spec.documents, batchSize: spec.batchSize, maxBatchBytes: spec.maxBatchBytes),
            warnings: report.warnings)
        return try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(plan))
    }
}
