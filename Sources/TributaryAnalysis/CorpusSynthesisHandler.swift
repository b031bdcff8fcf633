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
        let replicated = synthesis.replicates.map { CorpusSynthesiser.replicatedDocuments(batches, plan: $0) }
        let report = CorpusSynthesiser.synthesise(synthesis, batches: batches, replicated: replicated)
        let dimensions = synthesis.framework.dimensions.map(\.name)
        let metrics = synthesis.framework.derivedMetrics.map(\.name)
        let documents = CorpusSynthesiser.documents(batches, replicated: replicated)
        var output = CorpusSynthesisOutput(
            report: report,
            reportMarkdown: ReportRenderer.markdown(report, dimensionOrder: dimensions, metricOrder: metrics),
            scoresCsv: replicated.map { ReportRenderer.csv($0, dimensionOrder: dimensions, metricOrder: metrics) }
                ?? ReportRenderer.csv(documents, dimensionOrder: dimensions, metricOrder: metrics))
        if output.scoresCsv.utf8.count > inlineScoresLimit, let address = try content.store(Array(output.scoresCsv.utf8), for: "the scores table") {
            output.scoresCsvRef = address
            output.scoresCsv = ""
        }
        if let plan = synthesis.replicates {
            let table = ReportRenderer.replicatesCsv(
                batches, failed: synthesis.coverage.failedBatches, plan: plan, dimensionOrder: dimensions, metricOrder: metrics)
            if table.utf8.count > inlineScoresLimit, let address = try content.store(Array(table.utf8), for: "the replicates table") {
                output.replicatesCsvRef = address
            } else {
                output.replicatesCsv = table
            }
        }
        return output
    }
}
