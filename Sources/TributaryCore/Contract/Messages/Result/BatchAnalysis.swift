/// What an `analyse_batch` task returns, and what the synthesis receives for each batch.
public struct BatchAnalysis: Sendable, Hashable, Codable {
    public var batchIndex: Int
    public var documents: [DocumentAnalysis]
    /// What the batch's calls to a language model used; absent for the phrase matcher. The
    /// orchestrator counts it into the experiment's ledger when it counts the result.
    public var usage: ModelUsage?

    public init(batchIndex: Int, documents: [DocumentAnalysis], usage: ModelUsage? = nil) {
        self.batchIndex = batchIndex
        self.documents = documents
        self.usage = usage
    }
}
