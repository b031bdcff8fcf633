/// One model's provider limits and prices, as the orchestrator's model table gives them.
///
/// The limits are the provider's own per-minute figures; the orchestrator holds every
/// experiment and every worker under them together, since it alone sees all the dispatches.
public struct ModelLimits: Sendable, Hashable, Codable {
    /// `nil`: no limit on requests.
    public var requestsPerMinute: Double?
    /// `nil`: no limit on tokens (input and output together, as providers count them).
    public var tokensPerMinute: Double?
    public var inputPricePerMillion: Double
    public var outputPricePerMillion: Double

    public init(requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil, inputPricePerMillion: Double = 0, outputPricePerMillion: Double = 0) {
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.inputPricePerMillion = inputPricePerMillion
        self.outputPricePerMillion = outputPricePerMillion
    }

    /// The price of a call that used these tokens.
    public func cost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * inputPricePerMillion + Double(outputTokens) * outputPricePerMillion) / 1_000_000
    }

    /// What is wrong with the entry, each problem naming its field under the model's name.
    public func problems(model: String) -> [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func check(_ value: Double?, _ field: String, allowZero: Bool) {
            guard let value else { return }
            if !value.isFinite || value < 0 || (!allowZero && value == 0) {
                problems.append(PolicyProblem(field: "\(model).\(field)", message: "must be \(allowZero ? "zero or more" : "positive"), not \(value)"))
            }
        }
        check(requestsPerMinute, "requests_per_minute", allowZero: false)
        check(tokensPerMinute, "tokens_per_minute", allowZero: false)
        check(inputPricePerMillion, "input_price_per_million", allowZero: true)
        check(outputPricePerMillion, "output_price_per_million", allowZero: true)
        return problems
    }
}

/// The orchestrator's model table: limits and prices by model name, as experiments name
/// models in `analyser.model`.
public struct ModelTable: Sendable, Hashable {
    public var models: [String: ModelLimits]

    public init(_ models: [String: ModelLimits] = [:]) {
        self.models = models
    }

    public subscript(model: String) -> ModelLimits? { models[model] }

    public var problems: [PolicyProblem] {
        models.keys.sorted().flatMap { models[$0]!.problems(model: $0) }
    }
}
