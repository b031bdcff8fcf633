/// An experiment's spending on its language model, from counted results only: a duplicate
/// result is ignored before it reaches the ledger, so nothing counts twice.
public struct ModelLedger: Sendable, Hashable, Codable {
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// In the model table's currency, at its prices when each result was counted.
    public var cost: Double
    public var repairs: Int
    public var unverifiedEvidence: Int
    /// Calls the endpoint refused for its rate limit; their tasks were sent again without
    /// spending an attempt.
    public var rateLimited: Int

    public init(
        requests: Int = 0, inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0, repairs: Int = 0, unverifiedEvidence: Int = 0, rateLimited: Int = 0
    ) {
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.repairs = repairs
        self.unverifiedEvidence = unverifiedEvidence
        self.rateLimited = rateLimited
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Counts one result's usage at `limits`' prices (none known: no cost).
    public mutating func count(_ usage: ModelUsage, prices limits: ModelLimits?) {
        requests += usage.requests
        inputTokens += usage.inputTokens
        outputTokens += usage.outputTokens
        repairs += usage.repairs
        unverifiedEvidence += usage.unverifiedEvidence
        cost += limits?.cost(inputTokens: usage.inputTokens, outputTokens: usage.outputTokens) ?? 0
    }
}
