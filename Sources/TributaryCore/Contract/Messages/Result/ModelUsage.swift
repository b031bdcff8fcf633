/// What a batch's calls to a language model used, as its result reports it: the figures the
/// ledger, the rate limiter's correction and the cost are computed from.
public struct ModelUsage: Sendable, Hashable, Codable {
    /// The model as the experiment named it (the model table's key), not as the endpoint
    /// answered (that is in each document's provenance).
    public var model: String
    /// Calls made, repairs included.
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Answers that failed validation and were asked again.
    public var repairs: Int
    /// Evidence quotes dropped because the document does not contain them.
    public var unverifiedEvidence: Int

    public init(model: String, requests: Int = 0, inputTokens: Int = 0, outputTokens: Int = 0, repairs: Int = 0, unverifiedEvidence: Int = 0) {
        self.model = model
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.repairs = repairs
        self.unverifiedEvidence = unverifiedEvidence
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static func += (lhs: inout ModelUsage, rhs: ModelUsage) {
        lhs.requests += rhs.requests
        lhs.inputTokens += rhs.inputTokens
        lhs.outputTokens += rhs.outputTokens
        lhs.repairs += rhs.repairs
        lhs.unverifiedEvidence += rhs.unverifiedEvidence
    }
}
