/// The most an experiment may spend on a language model before it is paused: a cost in the
/// model table's currency, a number of tokens (input and output together), or both.
public struct Budget: Sendable, Hashable, Codable {
    public var maxCost: Double?
    public var maxTokens: Int?

    public init(maxCost: Double? = nil, maxTokens: Int? = nil) {
        self.maxCost = maxCost
        self.maxTokens = maxTokens
    }

    /// Whether spending `cost` and `tokens` so far has reached either limit.
    public func isReached(cost: Double, tokens: Int) -> Bool {
        // A cent's thousandth of slack: costs are sums of products of prices and token counts,
        // and a budget met exactly must count as met.
        if let maxCost, cost >= maxCost - 1e-9 { return true }
        if let maxTokens, tokens >= maxTokens { return true }
        return false
    }

    public var problems: [PolicyProblem] {
        var problems: [PolicyProblem] = []
        if let maxCost, !(maxCost > 0) || !maxCost.isFinite {
            problems.append(PolicyProblem(field: "budget.max_cost", message: "must be positive, not \(maxCost)"))
        }
        if let maxTokens, maxTokens < 1 { problems.append(PolicyProblem(field: "budget.max_tokens", message: "must be at least 1, not \(maxTokens)")) }
        return problems
    }
}
