import TributaryCore

/// Combines every batch's analyses into the corpus report, returned with its Markdown and CSV renderings.
public struct CorpusSynthesisHandler: TaskHandler {
    public let taskType = TaskType.corpusSynthesis

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> CorpusSynthesisOutput {
        guard case .corpusSynthesis(let synthesis) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected a corpus_synthesis payload", permanent: true)
        }
        let batches = synthesis.batchResults
        let report = CorpusSynthesiser.synthesise(synthesis, batches: batches)
        let dimensions = synthesis.framework.dimensions.map(\.name)
        let metrics = synthesis.framework.derivedMetrics.map(\.name)
        let documents = batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents)
        return CorpusSynthesisOutput(
            report: report,
            reportMarkdown: ReportRenderer.markdown(report, dimensionOrder: dimensions, metricOrder: metrics),
            scoresCsv: ReportRenderer.csv(documents, dimensionOrder: dimensions, metricOrder: metrics))
    }
}
