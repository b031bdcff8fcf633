import TributaryCore

/// Combines every batch's analyses into the corpus report, returned with its Markdown and CSV renderings.
public struct CorpusSynthesisHandler: TaskHandler {
    public let taskType = TaskType.corpusSynthesis
    /// Reads a stored synthesis input, and stores a scores table too large to return inline.
    public let content: ContentResolver
    /// A scores table larger than this goes to the content store (when there is one).
    public let inlineScoresLimit: Int

    /// 1 MiB: the report and its Markdown stay small whatever the corpus; the table grows
    /// with it (about 80 bytes a document).
    public static let defaultInlineScoresLimit = 1 << 20

    public init(content: ContentResolver = ContentResolver(store: nil), inlineScoresLimit: Int = Self.defaultInlineScoresLimit) {
        self.content = content
        self.inlineScoresLimit = inlineScoresLimit
    }

    public func handle(_ task: TaskMessage) async throws -> CorpusSynthesisOutput {
        guard case .corpusSynthesis(let synthesis) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected a corpus_synthesis payload", permanent: true)
        }
        let batches = try content.batchResults(of: synthesis)
        let report = CorpusSynthesiser.synthesise(synthesis, batches: batches)
        let dimensions = synthesis.framework.dimensions.map(\.name)
        let metrics = synthesis.framework.derivedMetrics.map(\.name)
        let documents = batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents)
        var output = CorpusSynthesisOutput(
            report: report,
            reportMarkdown: ReportRenderer.markdown(report, dimensionOrder: dimensions, metricOrder: metrics),
            scoresCsv: ReportRenderer.csv(documents, dimensionOrder: dimensions, metricOrder: metrics))
        if output.scoresCsv.utf8.count > inlineScoresLimit, let address = try content.store(Array(output.scoresCsv.utf8), for: "the scores table") {
            output.scoresCsvRef = address
            output.scoresCsv = ""
        }
        return output
    }
}
