/// The corpus-level synthesis a researcher reads: the `report` of a `corpus_synthesis` result.
/// It is part of the contract so that a client decodes it as the agent wrote it.
public struct CorpusReport: Sendable, Hashable, Codable {
    public struct GroupSummary: Sendable, Hashable, Codable {
        public var group: String
        public var n: Int
        public var mean: Double?
        public var standardDeviation: Double?

        public init(group: String, n: Int, mean: Double?, standardDeviation: Double?) {
            self.group = group
            self.n = n
            self.mean = mean
            self.standardDeviation = standardDeviation
        }
    }

    public struct GroupComparison: Sendable, Hashable, Codable {
        public var variable: String
        public var groups: [GroupSummary]
        /// Welch's t for two groups, one-way ANOVA for more; nil when not computable (e.g. one group, or no variance).
        public var test: TestResult?

        public init(variable: String, groups: [GroupSummary], test: TestResult?) {
            self.variable = variable
            self.groups = groups
            self.test = test
        }
    }

    public struct TopDocument: Sendable, Hashable, Codable {
        public var id: String
        public var rawScore: Double
        public var evidence: [Evidence]

        public init(id: String, rawScore: Double, evidence: [Evidence]) {
            self.id = id
            self.rawScore = rawScore
            self.evidence = evidence
        }
    }

    /// Which part of the planned corpus the statistics rest on.
    public struct ReportCoverage: Sendable, Hashable, Codable {
        public var documentsPlanned: Int
        public var documentsAnalysed: Int
        public var failedBatches: [FailedBatch]

        public init(documentsPlanned: Int, documentsAnalysed: Int, failedBatches: [FailedBatch]) {
            self.documentsPlanned = documentsPlanned
            self.documentsAnalysed = documentsAnalysed
            self.failedBatches = failedBatches
        }
    }

    /// How far a dimension's replicated scores agree: Krippendorff's alpha (interval metric)
    /// with documents as units and replicates as coders.
    public struct Agreement: Sendable, Hashable, Codable {
        /// Documents with at least two replicate scores: the units alpha is computed over.
        public var documents: Int
        /// Nil where undefined (no pairable document, or no variation at all).
        public var alpha: Double?
        /// The 2.5th and 97.5th percentiles of alpha over bootstrap resamples of the documents.
        public var alphaInterval95: [Double]?
        public var bootstrapResamples: Int
        /// The share of those documents whose replicate scores span more than ``spreadThreshold``.
        public var spreadShare: Double?
        public var spreadThreshold: Double

        public init(
            documents: Int, alpha: Double?, alphaInterval95: [Double]?, bootstrapResamples: Int, spreadShare: Double?, spreadThreshold: Double
        ) {
            self.documents = documents
            self.alpha = alpha
            self.alphaInterval95 = alphaInterval95
            self.bootstrapResamples = bootstrapResamples
            self.spreadShare = spreadShare
            self.spreadThreshold = spreadThreshold
        }
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
    /// How a language model produced the scores; absent when no model was called.
    public var provenance: ReportProvenance?
    /// Replicates per document; absent for one.
    public var replicates: Int?
    /// Per dimension, with replicates: agreement across them (within each model).
    public var replicateAgreement: [String: Agreement]?
    /// With several models: their names, and per dimension their agreement (each model's
    /// score of a document the mean of its replicates).
    public var models: [String]?
    public var modelAgreement: [String: Agreement]?

    public init(
        experiment: String, run: Int, coverage: ReportCoverage, researchQuestion: String, framework: String, documentCount: Int,
        batchCount: Int, totalWords: Int, dimensions: [String: DescriptiveStatistics], derivedMetrics: [String: DescriptiveStatistics],
        correlations: [String: [String: Double?]], reliability: [String: Double?], groupBy: String?, groupComparisons: [GroupComparison],
        topDocuments: [String: [TopDocument]]
    ) {
        self.experiment = experiment
        self.run = run
        self.coverage = coverage
        self.researchQuestion = researchQuestion
        self.framework = framework
        self.documentCount = documentCount
        self.batchCount = batchCount
        self.totalWords = totalWords
        self.dimensions = dimensions
        self.derivedMetrics = derivedMetrics
        self.correlations = correlations
        self.reliability = reliability
        self.groupBy = groupBy
        self.groupComparisons = groupComparisons
        self.topDocuments = topDocuments
        self.provenance = nil
    }

    enum CodingKeys: String, CodingKey {
        case experiment, run, coverage, researchQuestion, framework, documentCount, batchCount, totalWords, dimensions
        case derivedMetrics, correlations, reliability, groupBy, groupComparisons, topDocuments, provenance, replicates, replicateAgreement, models,
            modelAgreement
    }

    // `run` and `coverage` came after schema 1 was published: a synthesis agent from before
    // them wrote neither, and its report is the first run over every document it counted.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        experiment = try container.decode(String.self, forKey: .experiment)
        documentCount = try container.decode(Int.self, forKey: .documentCount)
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        coverage =
            try container.decodeIfPresent(ReportCoverage.self, forKey: .coverage)
            ?? ReportCoverage(documentsPlanned: documentCount, documentsAnalysed: documentCount, failedBatches: [])
        researchQuestion = try container.decode(String.self, forKey: .researchQuestion)
        framework = try container.decode(String.self, forKey: .framework)
        batchCount = try container.decode(Int.self, forKey: .batchCount)
        totalWords = try container.decode(Int.self, forKey: .totalWords)
        dimensions = try container.decode([String: DescriptiveStatistics].self, forKey: .dimensions)
        derivedMetrics = try container.decode([String: DescriptiveStatistics].self, forKey: .derivedMetrics)
        correlations = try container.decode([String: [String: Double?]].self, forKey: .correlations)
        reliability = try container.decode([String: Double?].self, forKey: .reliability)
        groupBy = try container.decodeIfPresent(String.self, forKey: .groupBy)
        groupComparisons = try container.decode([GroupComparison].self, forKey: .groupComparisons)
        topDocuments = try container.decode([String: [TopDocument]].self, forKey: .topDocuments)
        provenance = try container.decodeIfPresent(ReportProvenance.self, forKey: .provenance)
        replicates = try container.decodeIfPresent(Int.self, forKey: .replicates)
        replicateAgreement = try container.decodeIfPresent([String: Agreement].self, forKey: .replicateAgreement)
        models = try container.decodeIfPresent([String].self, forKey: .models)
        modelAgreement = try container.decodeIfPresent([String: Agreement].self, forKey: .modelAgreement)
    }
}
