/// What a `corpus_synthesis` task returns: the report, and its Markdown and CSV renderings
/// (`{"report": {…}, "report_markdown": "…", "scores_csv": "…"}` on the wire).
public struct CorpusSynthesisOutput: Sendable, Hashable, Codable {
    public var report: CorpusReport
    public var reportMarkdown: String
    public var scoresCsv: String

    public init(report: CorpusReport, reportMarkdown: String, scoresCsv: String) {
        self.report = report
        self.reportMarkdown = reportMarkdown
        self.scoresCsv = scoresCsv
    }
}
