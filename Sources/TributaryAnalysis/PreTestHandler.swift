import TributaryCore

/// Validates the experiment, dry-runs the analyser on a small sample, and plans the batches.
/// A failed validation fails the experiment with every error listed, before anything is fanned out.
public struct PreTestHandler: TaskHandler {
    public let taskType = TaskType.preTest
    /// Reads a corpus that travels as a manifest in the content store.
    public let content: ContentResolver

    public init(content: ContentResolver = ContentResolver(store: nil)) { self.content = content }

    public func handle(_ task: TaskMessage) async throws -> PreTestResult {
        guard case .preTest(var spec) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected a pre_test payload", permanent: true) }
        if spec.corpusRef != nil {
            spec.documents = try content.documents(of: spec)
            // The dry run reads words; only its sample's texts are loaded.
            let sample = try content.texts(of: Array(spec.documents.prefix(Self.dryRunSize)))
            spec.documents.replaceSubrange(0..<sample.count, with: sample)
        }
        var report = ExperimentValidator.validate(spec)
        guard report.errors.isEmpty else {
            throw TaskFailure(code: "invalid_experiment", message: report.errors.joined(separator: "; "), permanent: true)
        }
        report.warnings += try Self.dryRun(spec)
        return PreTestResult(
            batches: BatchPlanner.plan(spec.documents, batchSize: spec.batchSize, maxBatchBytes: spec.maxBatchBytes),
            warnings: report.warnings)
    }

    static let dryRunSize = 3

    /// Analyses the first few documents: proves the framework runs, and warns when nothing
    /// matches at all (often a framework written for another language or corpus).
    static func dryRun(_ spec: ExperimentSpec) throws(TaskFailure) -> [String] {
        let analyser: DocumentAnalyser
        do {
            analyser = try DocumentAnalyser(framework: spec.framework)
        } catch {
            throw TaskFailure(code: "invalid_experiment", message: "framework: \(error)", permanent: true)
        }
        let sample = spec.documents.prefix(dryRunSize).map(analyser.analyse)
        let hits = sample.reduce(0) { total, document in total + document.scores.values.reduce(0) { $0 + ($1.raisesHits ?? 0) + ($1.lowersHits ?? 0) } }
        guard hits == 0, !sample.isEmpty else { return [] }
        return ["dry run: no marker phrase matched in the first \(sample.count) document(s); check the framework's phrases against the corpus"]
    }
}
