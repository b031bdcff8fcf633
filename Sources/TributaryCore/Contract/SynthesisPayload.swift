/// What a `corpus_synthesis` task carries: the experiment's description and every batch result, in batch order.
public struct SynthesisPayload: Sendable, Hashable, Codable {
    public var experimentName: String
    public var researchQuestion: String
    public var groupBy: String?
    public var framework: Framework
    public var batchResults: [BatchAnalysis]

    public init(experimentName: String, researchQuestion: String, groupBy: String?, framework: Framework, batchResults: [BatchAnalysis]) {
        self.experimentName = experimentName
        self.researchQuestion = researchQuestion
        self.groupBy = groupBy
        self.framework = framework
        self.batchResults = batchResults
    }
}
