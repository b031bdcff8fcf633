/// The pre-test's verdict on a valid experiment: how to batch it, and what looked odd. For a
/// language-model experiment, also what its pilot spent and the corpus's size, from which the
/// orchestrator estimates the whole run.
public struct PreTestResult: Sendable, Hashable, Codable {
    /// Document ids per batch, in batch order.
    public var batches: [[String]]
    public var warnings: [String]
    /// The pilot's calls; nil when none ran (`pilot_documents: 0`, or not an llm experiment).
    public var pilot: CostEstimate.Pilot?
    /// The corpus's text, in bytes; given for llm experiments.
    public var corpusBytes: Int?
    /// The pilot's documents as it analysed them: paid for once, so the orchestrator caches
    /// them with the pilot's spending and sends them no more. Absent when no pilot ran.
    public var pilotAnalyses: [DocumentAnalysis]?

    public init(batches: [[String]], warnings: [String] = [], pilot: CostEstimate.Pilot? = nil, corpusBytes: Int? = nil) {
        self.batches = batches
        self.warnings = warnings
        self.pilot = pilot
        self.corpusBytes = corpusBytes
    }
}
