/// What part of the corpus a synthesis covers: the documents planned, and each batch that
/// failed for good with its documents, attempts and last error.
public struct Coverage: Sendable, Hashable, Codable {
    public var documentsPlanned: Int
    public var failedBatches: [FailedBatch]

    public init(documentsPlanned: Int, failedBatches: [FailedBatch] = []) {
        self.documentsPlanned = documentsPlanned
        self.failedBatches = failedBatches
    }
}
