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
    /// How far this experiment's rate-limit refusals pushed back its model's dispatch (the
    /// Retry-After holds they added), in seconds.
    public var rateLimitWaitSeconds: Double

    public init(
        requests: Int = 0, inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0, repairs: Int = 0, unverifiedEvidence: Int = 0, rateLimited: Int = 0,
        rateLimitWaitSeconds: Double = 0
    ) {
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.repairs = repairs
        self.unverifiedEvidence = unverifiedEvidence
        self.rateLimited = rateLimited
        self.rateLimitWaitSeconds = rateLimitWaitSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decode(Int.self, forKey: .requests)
        inputTokens = try container.decode(Int.self, forKey: .inputTokens)
        outputTokens = try container.decode(Int.self, forKey: .outputTokens)
        cost = try container.decode(Double.self, forKey: .cost)
        repairs = try container.decodeIfPresent(Int.self, forKey: .repairs) ?? 0
        unverifiedEvidence = try container.decodeIfPresent(Int.self, forKey: .unverifiedEvidence) ?? 0
        rateLimited = try container.decodeIfPresent(Int.self, forKey: .rateLimited) ?? 0
        rateLimitWaitSeconds = try container.decodeIfPresent(Double.self, forKey: .rateLimitWaitSeconds) ?? 0
    }

    /// What was added since `earlier`.
    public func since(_ earlier: ModelLedger) -> ModelLedger {
        ModelLedger(
            requests: requests - earlier.requests, inputTokens: inputTokens - earlier.inputTokens, outputTokens: outputTokens - earlier.outputTokens,
            cost: cost - earlier.cost, repairs: repairs - earlier.repairs, unverifiedEvidence: unverifiedEvidence - earlier.unverifiedEvidence,
            rateLimited: rateLimited - earlier.rateLimited, rateLimitWaitSeconds: rateLimitWaitSeconds - earlier.rateLimitWaitSeconds)
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
