import TributaryCore

/// The corpus-level synthesis a researcher reads.
public struct CorpusReport: Sendable, Hashable, Codable {
    public struct GroupSummary: Sendable, Hashable, Codable {
        public var group: String
        public var n: Int
        public var mean: Double?
        public var standardDeviation: Double?
    }

    public struct GroupComparison: Sendable, Hashable, Codable {
        public var variable: String
        public var groups: [GroupSummary]
        /// Welch's t for two groups, one-way ANOVA for more; nil when not computable (e.g. one group, or no variance).
        public var test: TestResult?
    }

    public struct TopDocument: Sendable, Hashable, Codable {
        public var id: String
        public var rawScore: Double
        public var evidence: [Evidence]
    }

    /// Which part of the planned corpus the statistics rest on.
    public struct ReportCoverage: Sendable, Hashable, Codable {
        public var documentsPlanned: Int
        public var documentsAnalysed: Int
        public var failedBatches: [FailedBatch]
    }

    public var experiment: String
    /// 1, and one more for every `tributary retry` of the experiment.
    public var run: Int
    public var coverage: ReportCoverage
    public var researchQuestion: String
    public var framework: String
    public var documentCount: Int
    public var batchCount: Int
    public var totalWords: Int
    /// Per dimension (raw score) and per derived metric.
    public var dimensions: [String: DescriptiveStatistics]
    public var derivedMetrics: [String: DescriptiveStatistics]
    /// Pearson r between dimensions' raw scores: `correlations[a][b]`; nil where a dimension is constant.
    public var correlations: [String: [String: Double?]]
    /// Cronbach's alpha per framework index; nil where undefined.
    public var reliability: [String: Double?]
    public var groupBy: String?
    public var groupComparisons: [GroupComparison]
    /// The three highest-scoring documents per dimension, with their evidence.
    public var topDocuments: [String: [TopDocument]]
}
