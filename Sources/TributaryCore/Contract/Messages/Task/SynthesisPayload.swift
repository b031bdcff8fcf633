/// What a `corpus_synthesis` task carries: the experiment's description and every batch result, in batch order.
public struct SynthesisPayload: Sendable, Hashable, Codable {
    public var experimentName: String
    public var researchQuestion: String
    public var groupBy: String?
    public var framework: Framework
    public var batchResults: [BatchAnalysis]
    /// `sha256:<hex>` of the batch results (a JSON array, batch order) in the content store,
    /// when they are too large to carry; ``batchResults`` is then empty.
    public var batchResultsRef: String?
    /// Which documents the results cover, and which batches failed for good.
    public var coverage: Coverage
    /// 1 for the first synthesis, n for the one after the (n-1)th `tributary retry`.
    public var run: Int
    /// With replicates or several models: how many replicates there are, how many batches
    /// each has, and the models. Batch `index` holds the same documents as batch
    /// `index % batchesPerReplicate`; it is replicate `(index / batchesPerReplicate) % count`
    /// of model `index / (batchesPerReplicate * count)`. Absent for one replicate of one model.
    public var replicates: Replicates?

    public struct Replicates: Sendable, Hashable, Codable {
        public var count: Int
        public var batchesPerReplicate: Int
        /// With several models, in the experiment's order; absent for one.
        public var models: [String]?

        public init(count: Int, batchesPerReplicate: Int, models: [String]? = nil) {
            self.count = count
            self.batchesPerReplicate = batchesPerReplicate
            self.models = models
        }

        public func replicate(ofBatch index: Int) -> Int { batchesPerReplicate > 0 ? (index / batchesPerReplicate) % max(count, 1) : 0 }

        /// The index into ``models`` of the batch's model; 0 with one model.
        public func model(ofBatch index: Int) -> Int { batchesPerReplicate > 0 ? index / (batchesPerReplicate * max(count, 1)) : 0 }
    }

    public init(
        experimentName: String, researchQuestion: String, groupBy: String?, framework: Framework, batchResults: [BatchAnalysis],
        coverage: Coverage, run: Int = 1
    ) {
        self.experimentName = experimentName
        self.researchQuestion = researchQuestion
        self.groupBy = groupBy
        self.framework = framework
        self.batchResults = batchResults
        self.coverage = coverage
        self.run = run
    }

    enum CodingKeys: String, CodingKey {
        case experimentName, researchQuestion, groupBy, framework, batchResults, batchResultsRef, coverage, run, replicates
    }

    // `coverage` and `run` came after schema 1 was published, so an orchestrator from before
    // them sends neither. Such a task is read as what it was: the first run, with every
    // planned document analysed (no batch could fail for good before tolerance existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        experimentName = try container.decode(String.self, forKey: .experimentName)
        researchQuestion = try container.decodeIfPresent(String.self, forKey: .researchQuestion) ?? ""
        groupBy = try container.decodeIfPresent(String.self, forKey: .groupBy)
        framework = try container.decode(Framework.self, forKey: .framework)
        batchResults = try container.decode([BatchAnalysis].self, forKey: .batchResults)
        batchResultsRef = try container.decodeIfPresent(String.self, forKey: .batchResultsRef)
        coverage =
            try container.decodeIfPresent(Coverage.self, forKey: .coverage)
            ?? Coverage(documentsPlanned: batchResults.reduce(0) { $0 + $1.documents.count })
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        replicates = try container.decodeIfPresent(Replicates.self, forKey: .replicates)
    }
}
