/// What analysing a whole corpus with a language model is expected to take: calls, tokens,
/// cost at the model table's prices, and time at the model's limits.
///
/// From the corpus alone (`basis` `corpus`: `tributary submit --estimate`) it uses the same
/// deliberately high token estimate the rate limiter admits batches with, and
/// `max_output_tokens` for each answer. After the pilot (`basis` `pilot`) it is scaled by
/// what the pilot's calls really used.
public struct CostEstimate: Sendable, Hashable, Codable {
    public enum Basis: String, Sendable, Hashable, Codable {
        case corpus
        case pilot
    }

    public var basis: Basis
    public var documents: Int
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Nil when the model table has no prices for the model.
    public var cost: Double?
    /// At the model's requests and tokens per minute, whichever binds; nil without limits.
    public var seconds: Double?
    /// Of one call, as the pilot measured it.
    public var secondsPerCall: Double?

    public init(
        basis: Basis, documents: Int, requests: Int, inputTokens: Int, outputTokens: Int, cost: Double? = nil, seconds: Double? = nil,
        secondsPerCall: Double? = nil
    ) {
        self.basis = basis
        self.documents = documents
        self.requests = requests
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.seconds = seconds
        self.secondsPerCall = secondsPerCall
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    /// What the pilot measured: how many documents it analysed, their text's size, its usage
    /// and how long it took.
    public struct Pilot: Sendable, Hashable, Codable {
        public var documents: Int
        public var bytes: Int
        public var usage: ModelUsage
        public var seconds: Double

        public init(documents: Int, bytes: Int, usage: ModelUsage, seconds: Double) {
            self.documents = documents
            self.bytes = bytes
            self.usage = usage
            self.seconds = seconds
        }
    }

    /// The estimate for `documents` documents of `bytes` of text in all. `limits` prices it
    /// and times it; a pilot that made calls scales it to what they used.
    public static func make(
        documents: Int, bytes: Int, promptOverheadBytes: Int, maxOutputTokens: Int, limits: ModelLimits?, pilot: Pilot? = nil
    ) -> CostEstimate {
        let guessed = TokenEstimator.inputTokens(documents: documents, bytes: bytes, promptOverheadBytes: promptOverheadBytes)
        var estimate: CostEstimate
        if let pilot, pilot.documents > 0, pilot.usage.requests > 0 {
            // The pilot's real tokens against what the same guess gave for its documents.
            let pilotGuess = TokenEstimator.inputTokens(documents: pilot.documents, bytes: pilot.bytes, promptOverheadBytes: promptOverheadBytes)
            let ratio = Double(pilot.usage.inputTokens) / Double(max(1, pilotGuess))
            let callsPerDocument = Double(pilot.usage.requests) / Double(pilot.documents)
            let requests = Int((Double(documents) * callsPerDocument).rounded(.up))
            let outputPerCall = Double(pilot.usage.outputTokens) / Double(pilot.usage.requests)
            estimate = CostEstimate(
                basis: .pilot, documents: documents, requests: requests,
                inputTokens: Int((Double(guessed) * ratio).rounded(.up)),
                outputTokens: Int((outputPerCall * Double(requests)).rounded(.up)), secondsPerCall: pilot.seconds / Double(pilot.usage.requests))
        } else {
            estimate = CostEstimate(
                basis: .corpus, documents: documents, requests: documents, inputTokens: guessed, outputTokens: documents * maxOutputTokens)
        }
        if let limits {
            if limits.inputPricePerMillion > 0 || limits.outputPricePerMillion > 0 {
                estimate.cost = limits.cost(inputTokens: estimate.inputTokens, outputTokens: estimate.outputTokens)
            }
            var minutes: [Double] = []
            if let perMinute = limits.requestsPerMinute { minutes.append(Double(estimate.requests) / perMinute) }
            if let perMinute = limits.tokensPerMinute { minutes.append(Double(estimate.totalTokens) / perMinute) }
            estimate.seconds = minutes.max().map { $0 * 60 }
        }
        return estimate
    }
}
