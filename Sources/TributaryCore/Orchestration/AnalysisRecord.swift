/// What the orchestrator keeps of an experiment's analyser choice and its spending: the lane
/// its analyse tasks go to, the model it is metered and priced under, and its ledger.
///
/// `nil` on an experiment without an `analyser` section: its tasks go to the default lane,
/// as every experiment's did before analysers could be chosen.
package struct AnalysisRecord: Sendable, Hashable, Codable {
    package var kind: AnalyserSettings.Kind
    /// The model table's key, for `llm`.
    package var model: String?
    package var budget: Budget?
    package var ledger: ModelLedger
    /// The tokens each batch in flight was admitted with, by batch index: what its result's
    /// usage corrects.
    package var reservations: [Int: Int]
    /// Output tokens per call of recent results, the estimate for the next dispatches.
    package var recentOutputs: [Int]
    /// `max_output_tokens`, the output estimate before any result.
    package var maxOutputTokens: Int
    /// Attempts of each batch that the endpoint refused for its rate limit: they do not count
    /// against `max_attempts`.
    package var rateLimitedAttempts: [Int: Int]
    /// The whole run's expected cost and time, made when the batches were planned.
    package var estimate: CostEstimate?
    /// What the experiment took from and gave to the result cache; nil when it uses none.
    package var cache: CacheSummary?
    /// With several models (``model`` is then the first): all of them, and how many
    /// consecutive batches each has, so that a batch's index names its model.
    package var models: [String]?
    package var batchesPerModel: Int?

    package init(
        kind: AnalyserSettings.Kind, model: String? = nil, budget: Budget? = nil, ledger: ModelLedger = ModelLedger(),
        maxOutputTokens: Int = AnalyserSettings.defaultMaxOutputTokens
    ) {
        self.kind = kind
        self.model = model
        self.budget = budget
        self.ledger = ledger
        self.reservations = [:]
        self.recentOutputs = []
        self.maxOutputTokens = maxOutputTokens
        self.rateLimitedAttempts = [:]
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(AnalyserSettings.Kind.self, forKey: .kind)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        budget = try container.decodeIfPresent(Budget.self, forKey: .budget)
        ledger = try container.decodeIfPresent(ModelLedger.self, forKey: .ledger) ?? ModelLedger()
        reservations = try container.decodeIfPresent([Int: Int].self, forKey: .reservations) ?? [:]
        recentOutputs = try container.decodeIfPresent([Int].self, forKey: .recentOutputs) ?? []
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens) ?? AnalyserSettings.defaultMaxOutputTokens
        rateLimitedAttempts = try container.decodeIfPresent([Int: Int].self, forKey: .rateLimitedAttempts) ?? [:]
        estimate = try container.decodeIfPresent(CostEstimate.self, forKey: .estimate)
        cache = try container.decodeIfPresent(CacheSummary.self, forKey: .cache)
        models = try container.decodeIfPresent([String].self, forKey: .models)
        batchesPerModel = try container.decodeIfPresent(Int.self, forKey: .batchesPerModel)
    }

    package init?(spec: ExperimentSpec) {
        guard let analyser = spec.analyser else { return nil }
        self.init(
            kind: analyser.kind, model: analyser.kind == .llm ? analyser.modelNames.first : nil, budget: spec.budget,
            maxOutputTokens: analyser.maxOutputTokens)
        if analyser.kind == .llm, analyser.modelNames.count > 1 { models = analyser.modelNames }
    }

    /// The metered model, for an experiment whose tasks call one (the first, of several).
    package var meteredModel: String? { kind == .llm ? model : nil }

    /// The model batch `index` calls, metered and priced under; nil when no model is called.
    package func meteredModel(ofBatch index: Int) -> String? {
        guard kind == .llm else { return nil }
        guard let models, let per = batchesPerModel, per > 0 else { return model }
        return models[min(max(index / per, 0), models.count - 1)]
    }

    /// What the status calls the model: every one, with several.
    package var modelDescription: String? { kind == .llm ? models?.joined(separator: ", ") ?? model : nil }

    /// The estimate for a batch of documents this large (text bytes each).
    package func estimate(documentBytes: [Int], promptOverheadBytes: Int) -> Int {
        var estimator = TokenEstimator(promptOverheadBytes: promptOverheadBytes)
        for output in recentOutputs { estimator.observe(outputTokensPerCall: output) }
        return estimator.estimate(documentBytes: documentBytes, maxOutputTokens: maxOutputTokens)
    }

    /// A result's usage: into the ledger, and into the output estimate.
    package mutating func count(_ usage: ModelUsage, prices: ModelLimits?) {
        ledger.count(usage, prices: prices)
        if usage.requests > 0 { TokenEstimator.remember(usage.outputTokens / usage.requests, in: &recentOutputs) }
    }
}
