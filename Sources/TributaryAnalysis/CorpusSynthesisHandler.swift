import TributaryCore

/// Combines every batch's analyses into the corpus report, returned with its Markdown and CSV renderings:
/// `{"report": {…}, "report_markdown": "…", "scores_csv": "…"}`.
public struct CorpusSynthesisHandler: TaskHandler {
    public let taskType = TaskType.corpusSynthesis

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        guard case .corpusSynthesis(let synthesis) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected a corpus_synthesis payload") }
        let batches: [BatchAnalysis]
        do {
            batches = try synthesis.batchResults.map { try MessageCoding.decode(BatchAnalysis.self, from: MessageCoding.encode($0)) }
        } catch {
            throw TaskFailure(code: "bad_batch_result", message: "\(error)")
        }
        let report = CorpusSynthesiser.synthesise(synthesis, batches: batches)
        let dimensions = synthesis.framework.dimensions.map(\.name)
        let metrics = synthesis.framework.derivedMetrics.map(\.name)
        let documents = batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents)
        return .object([
            "report": try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(report)),
            "report_markdown": .string(ReportRenderer.markdown(report, dimensionOrder: dimensions, metricOrder: metrics)),
            "scores_csv": .string(ReportRenderer.csv(documents, dimensionOrder: dimensions, metricOrder: metrics)),
        ])
    }
}
