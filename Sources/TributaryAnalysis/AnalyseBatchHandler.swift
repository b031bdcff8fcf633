import TributaryCore

/// Analyses the documents of one batch with the built-in ``DocumentAnalyser``.
/// Deterministic: the same batch gives the same bytes.
public struct AnalyseBatchHandler: TaskHandler {
    public let taskType = TaskType.analyseBatch

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> BatchAnalysis {
        guard case .analyseBatch(let batch) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected an analyse_batch payload", permanent: true)
        }
        let analyser: DocumentAnalyser
        do {
            analyser = try DocumentAnalyser(framework: batch.framework)
        } catch {
            throw TaskFailure(code: "invalid_framework", message: "\(error)", permanent: true)
        }
        return BatchAnalysis(batchIndex: task.batchIndex ?? 0, documents: batch.documents.map(analyser.analyse))
    }
}
