/// A batch that failed for good: after its last attempt, or at once for a permanent failure.
public struct FailedBatch: Sendable, Hashable, Codable {
    public var batchIndex: Int
    public var documentIds: [String]
    public var attempts: Int
    public var error: String

    public init(batchIndex: Int, documentIds: [String], attempts: Int, error: String) {
        self.batchIndex = batchIndex
        self.documentIds = documentIds
        self.attempts = attempts
        self.error = error
    }
}
