/// What an `analyse_batch` task returns, and what the synthesis receives for each batch.
public struct BatchAnalysis: Sendable, Hashable, Codable {
    public var batchIndex: Int
    public var documents: [DocumentAnalysis]

    public init(batchIndex: Int, documents: [DocumentAnalysis]) {
        self.batchIndex = batchIndex
        self.documents = documents
    }
}
