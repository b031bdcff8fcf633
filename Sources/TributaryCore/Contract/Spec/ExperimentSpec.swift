/// Everything an experiment needs, packed so that workers on other hosts need no shared filesystem.
public struct ExperimentSpec: Sendable, Hashable, Codable {
    public var name: String
    public var researchQuestion: String
    public var framework: Framework
    /// The corpus, when carried in the message; empty when ``corpusRef`` names it instead.
    public var documents: [Document]
    /// `sha256:<hex>` of the corpus manifest in the content store: a JSON array of documents
    /// whose texts are referenced too. A large corpus travels this way, so no request or
    /// pre_test task carries it.
    public var corpusRef: String?
    /// Documents per analysis batch.
    public var batchSize: Int
    /// Upper bound on the text bytes of one batch; a batch closes early rather than exceed it.
    public var maxBatchBytes: Int
    /// Metadata field whose values define the groups compared in the synthesis.
    public var groupBy: String?
    /// How failed tasks are retried.
    public var retry: RetryPolicy
    /// An attempt without a result by then is abandoned and re-dispatched (it counts as an attempt).
    public var taskTimeout: TaskDuration
    /// Batches that may fail for good without failing the experiment.
    public var tolerateFailedBatches: FailureTolerance
    /// This experiment's analyse tasks outstanding at once; the orchestrator tops them up as results arrive.
    public var maxInFlight: Int
    /// Which analyser scores the documents; `nil` is the built-in one. Absent from the wire
    /// unless set, so experiments without it encode as they always have.
    public var analyser: AnalyserSettings?
    /// The spending limit of a language-model experiment; `nil` is none.
    public var budget: Budget?
    /// Whether results come from and go to the result cache; `nil` is the analyser kind's
    /// default (``CacheMode/default(for:)``). Absent from the wire unless set.
    public var cache: CacheMode?

    /// The analyser kind in effect.
    public var analyserKind: AnalyserSettings.Kind { analyser?.kind ?? .builtin }

    /// The cache mode in effect.
    public var cacheMode: CacheMode { cache ?? .default(for: analyserKind) }

    public static let defaultTaskTimeout = TaskDuration.minutes(15)
    public static let defaultMaxInFlight = 1_000

    public static let defaultMaxBatchBytes = 1 << 20

    public init(
        name: String, researchQuestion: String = "", framework: Framework, documents: [Document],
        batchSize: Int, maxBatchBytes: Int = ExperimentSpec.defaultMaxBatchBytes, groupBy: String? = nil,
        retry: RetryPolicy = RetryPolicy(), taskTimeout: TaskDuration = ExperimentSpec.defaultTaskTimeout,
        tolerateFailedBatches: FailureTolerance = .none, maxInFlight: Int = ExperimentSpec.defaultMaxInFlight
    ) {
        self.name = name
        self.researchQuestion = researchQuestion
        self.framework = framework
        self.documents = documents
        self.batchSize = batchSize
        self.maxBatchBytes = maxBatchBytes
        self.groupBy = groupBy
        self.retry = retry
        self.taskTimeout = taskTimeout
        self.tolerateFailedBatches = tolerateFailedBatches
        self.maxInFlight = maxInFlight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        researchQuestion = try container.decodeIfPresent(String.self, forKey: .researchQuestion) ?? ""
        framework = try container.decode(Framework.self, forKey: .framework)
        corpusRef = try container.decodeIfPresent(String.self, forKey: .corpusRef)
        documents =
            try corpusRef == nil ? container.decode([Document].self, forKey: .documents) : container.decodeIfPresent([Document].self, forKey: .documents) ?? []
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        maxBatchBytes = try container.decodeIfPresent(Int.self, forKey: .maxBatchBytes) ?? Self.defaultMaxBatchBytes
        groupBy = try container.decodeIfPresent(String.self, forKey: .groupBy)
        retry = try container.decodeIfPresent(RetryPolicy.self, forKey: .retry) ?? RetryPolicy()
        taskTimeout = try container.decodeIfPresent(TaskDuration.self, forKey: .taskTimeout) ?? Self.defaultTaskTimeout
        tolerateFailedBatches = try container.decodeIfPresent(FailureTolerance.self, forKey: .tolerateFailedBatches) ?? .none
        maxInFlight = try container.decodeIfPresent(Int.self, forKey: .maxInFlight) ?? Self.defaultMaxInFlight
        analyser = try container.decodeIfPresent(AnalyserSettings.self, forKey: .analyser)
        budget = try container.decodeIfPresent(Budget.self, forKey: .budget)
        cache = try container.decodeIfPresent(CacheMode.self, forKey: .cache)
    }

    /// What is wrong with the resilience settings, each problem naming its wire field; empty when fine.
    public var policyProblems: [PolicyProblem] {
        var problems: [PolicyProblem] = []
        func problem(_ field: String, _ message: String) { problems.append(PolicyProblem(field: field, message: message)) }
        if !(1...100).contains(retry.maxAttempts) { problem("retry.max_attempts", "must be between 1 and 100, not \(retry.maxAttempts)") }
        if retry.initialBackoff.milliseconds <= 0 { problem("retry.initial_backoff", "must be positive") }
        if retry.maxBackoff < retry.initialBackoff {
            problem("retry.max_backoff", "(\(retry.maxBackoff)) must not be below retry.initial_backoff (\(retry.initialBackoff))")
        }
        if taskTimeout.milliseconds <= 0 { problem("task_timeout", "must be positive") }
        if case .count(let count) = tolerateFailedBatches, count < 0 { problem("tolerate_failed_batches", "can't be negative") }
        if maxInFlight < 1 { problem("max_in_flight", "must be at least 1, not \(maxInFlight)") }
        problems += analyser?.problems ?? []
        problems += budget?.problems ?? []
        if budget != nil, analyserKind != .llm { problem("budget", "applies only to an analyser of kind llm") }
        return problems
    }
}

extension ExperimentSpec {
    /// The models an llm experiment analyses with, in order; empty for other analysers.
    public var modelNames: [String] { analyserKind == .llm ? analyser?.modelNames ?? [] : [] }

    /// The experiment as one of its models sees it: every key, pilot and task of that model's
    /// analyses is made from this. Itself when there is one model.
    public func forModel(at index: Int) -> ExperimentSpec {
        guard let analyser, analyser.models != nil, modelNames.indices.contains(index) else { return self }
        var spec = self
        spec.analyser = analyser.forModel(modelNames[index])
        return spec
    }
}
