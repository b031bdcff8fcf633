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
}
