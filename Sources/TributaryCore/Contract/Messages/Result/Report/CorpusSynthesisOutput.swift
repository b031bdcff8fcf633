/// What a `corpus_synthesis` task returns: the report, and its Markdown and CSV renderings
/// (`{"report": {…}, "report_markdown": "…", "scores_csv": "…"}` on the wire).
public struct CorpusSynthesisOutput: Sendable, Hashable, Codable {
    public var report: CorpusReport
    public var reportMarkdown: String
    /// The per-document table; empty when it is in the content store (``scoresCsvRef``).
    public var scoresCsv: String
    /// `sha256:<hex>` of the table in the content store, when it was too large to return inline.
    public var scoresCsvRef: String?
    /// With replicates: one row per (document, replicate), every replicate's own scores.
    public var replicatesCsv: String?
    /// `sha256:<hex>` of that table in the content store, when it was too large to return inline.
    public var replicatesCsvRef: String?

    public init(report: CorpusReport, reportMarkdown: String, scoresCsv: String) {
        self.report = report
        self.reportMarkdown = reportMarkdown
        self.scoresCsv = scoresCsv
    }
}

extension ExperimentStatus {
    /// The synthesis output of a completed experiment, typed; nil before it completes.
    public func synthesisOutput() throws(ContractError) -> CorpusSynthesisOutput? {
        guard let report else { return nil }
        let bytes: [UInt8]
        do { bytes = try MessageCoding.encode(report) } catch { throw ContractError(.malformed, "the report could not be re-encoded: \(error)") }
        return try MessageCoding.decode(CorpusSynthesisOutput.self, from: bytes)
    }
}
