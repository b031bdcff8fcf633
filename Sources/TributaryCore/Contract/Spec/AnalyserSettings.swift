/// Which analyser scores an experiment's documents, and, for a language model, how it is asked.
///
/// Everything here is the experiment's choice and travels with it; where the model is served
/// (its address and key) is the deployment's, and never part of an experiment.
public struct AnalyserSettings: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The phrase matcher built into every analyse agent.
        case builtin
        /// A model behind an OpenAI-compatible Chat Completions endpoint.
        case llm
        /// The program an agent runs with `--analyser-command`.
        case external
    }

    public var kind: Kind
    /// Sent as the request's `model`; required for ``Kind/llm``.
    public var model: String?
    public var temperature: Double
    public var topP: Double?
    /// Sent as `seed` and recorded with the results, whether or not the endpoint honours it.
    public var seed: Int?
    public var maxOutputTokens: Int
    /// The prompt template's text (the experiment files read it from the file the YAML names);
    /// `nil` builds the prompt from the framework.
    public var prompt: String?
    /// Documents the pre-test sends to the model before anything fans out.
    public var pilotDocuments: Int
    /// Set by the orchestrator on the pre-test it sends, never by an experiment: the documents
    /// to pilot, the first whose analyses are not cached (none when all are). Without it the
    /// pilot takes the corpus's first documents.
    public var pilotDocumentIDs: [String]?
    /// How many times each document is analysed, each time an independent task; replicate r
    /// is sent with seed `seed + r`. Absent (one) unless the experiment sets it, so a spec
    /// without replicates encodes as it did before they existed.
    public var replicates: Int?
    /// Instead of ``model``: every document is analysed with each of these models (and each
    /// replicate with each), so that the report can say how far the models agree.
    public var models: [String]?

    public var replicateCount: Int { replicates ?? 1 }
    public static let maximumModels = 8

    /// Every model the experiment analyses with: ``models``, else ``model`` alone.
    public var modelNames: [String] { models ?? model.map { [$0] } ?? [] }

    /// The settings one model's tasks are sent with: that model, and no list.
    public func forModel(_ name: String) -> AnalyserSettings {
        var settings = self
        settings.model = name
        settings.models = nil
        return settings
    }
    public static let maximumReplicates = 100

    /// The seed replicate `replicate` is sent with.
    public func seed(forReplicate replicate: Int) -> Int? { replicate == 0 ? seed : seed.map { $0 + replicate } }

    public static let defaultMaxOutputTokens = 400
    public static let defaultPilotDocuments = 2

    public init(
        kind: Kind = .builtin, model: String? = nil, temperature: Double = 0, topP: Double? = nil, seed: Int? = nil,
        maxOutputTokens: Int = AnalyserSettings.defaultMaxOutputTokens, prompt: String? = nil,
        pilotDocuments: Int = AnalyserSettings.defaultPilotDocuments
    ) {
        self.kind = kind
        self.model = model
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.maxOutputTokens = maxOutputTokens
        self.prompt = prompt
        self.pilotDocuments = pilotDocuments
    }

    enum CodingKeys: String, CodingKey {
        case kind, model, temperature, topP, seed, maxOutputTokens, prompt, pilotDocuments, replicates, models
        case pilotDocumentIDs = "pilotDocumentIds"
    }

    public init(from decoder: any Decoder) throws {
        let defaults = AnalyserSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? defaults.kind
        model = try container.decodeIfPresent(String.self, forKey: .model)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature) ?? defaults.temperature
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens) ?? defaults.maxOutputTokens
        prompt = try container.decodeIfPresent(String.self, forKey: .prompt)
        pilotDocuments = try container.decodeIfPresent(Int.self, forKey: .pilotDocuments) ?? defaults.pilotDocuments
        pilotDocumentIDs = try container.decodeIfPresent([String].self, forKey: .pilotDocumentIDs)
        replicates = try container.decodeIfPresent(Int.self, forKey: .replicates)
        models = try container.decodeIfPresent([String].self, forKey: .models)
    }

    /// What is out of range, each problem naming its field under `analyser.`.
    public var problems: [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func problem(_ field: String, _ message: String) { problems.append(PolicyProblem(field: "analyser.\(field)", message: message)) }
        if kind == .llm, (model ?? "").isEmpty, models == nil { problem("model", "is required when kind is llm (or models, a list)") }
        if let models {
            if kind != .llm {
                problem("models", "applies only to kind llm")
            } else if model != nil {
                problem("models", "is instead of model: give one or the other")
            } else if !(2...Self.maximumModels).contains(models.count) {
                problem("models", "must name 2 to \(Self.maximumModels) models, not \(models.count) (one model: use model)")
            } else if Set(models).count != models.count {
                problem("models", "names a model twice")
            } else if let bad = models.first(where: { $0.isEmpty || $0.utf8.count > 255 }) {
                problem("models", "'\(bad)' must be 1 to 255 bytes")
            }
        }
        if let model, model.utf8.count > 255 { problem("model", "must be at most 255 bytes") }
        if !(0...2).contains(temperature) { problem("temperature", "must be between 0 and 2, not \(temperature)") }
        if let topP, !(topP > 0 && topP <= 1) { problem("top_p", "must be above 0 and at most 1, not \(topP)") }
        if !(1...1_000_000).contains(maxOutputTokens) { problem("max_output_tokens", "must be between 1 and 1000000, not \(maxOutputTokens)") }
        if pilotDocuments < 0 { problem("pilot_documents", "can't be negative") }
        if let replicates {
            if !(1...Self.maximumReplicates).contains(replicates) {
                problem("replicates", "must be between 1 and \(Self.maximumReplicates), not \(replicates)")
            } else if replicates > 1, kind != .llm {
                problem(
                    "replicates",
                    kind == .builtin
                        ? "must be 1 for the builtin analyser: it is deterministic, so every replicate would be identical"
                        : "must be 1 for an external analyser: it is given no seed to vary, so replicates need kind llm")
            } else if replicates > 1, seed == nil {
                problem("replicates", "needs analyser.seed: replicate r is sent with seed + r, so the run can be repeated")
            }
        }
        return problems
    }
}
