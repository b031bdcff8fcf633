import Foundation

/// A snapshot of one experiment: published as an event on every state change, and returned
/// by a status query.
public struct ExperimentStatus: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var experimentID: String
    public var name: String
    public var state: ExperimentState
    public var batchCount: Int
    public var batchesCompleted: Int
    /// Messages about this experiment that changed nothing because they repeat one already
    /// applied: a second request with the same experiment id, a second result for a task
    /// already counted, or a result arriving after the experiment left that task's step
    /// (including after it failed).
    public var duplicatesIgnored: Int
    /// How many synthesis requests the orchestrator has issued for this experiment: one per
    /// run, from entering synthesising.
    public var synthesisRequests: Int
    /// Batches that failed for good in the current run (after their last attempt).
    public var failedBatches: Int
    /// Attempts re-issued after a failure or a timeout.
    public var retries: Int
    /// Analyse tasks sent and awaiting a result.
    public var inFlight: Int
    /// True once the experiment was cancelled.
    public var cancelled: Bool
    /// 1, and one more for every `tributary retry`.
    public var run: Int
    /// When a batch last succeeded or failed for good, or the state last changed.
    public var lastProgressAt: Date
    public var warnings: [String]
    public var error: String?
    /// The synthesis output, on `completed` only.
    public var report: JSONValue?
    /// The experiment's W3C trace id (32 hex digits), to find its trace in a tracing backend.
    public var traceID: String?
    /// The model a language-model experiment is metered under, and its spending so far from
    /// counted results; absent for other experiments.
    public var model: String?
    public var ledger: ModelLedger?
    /// Its limits, for an experiment with a `budget`.
    public var budget: Budget?
    /// The whole run's expected calls, tokens, cost and time, once its batches are planned.
    public var estimate: CostEstimate?
    /// Why it is paused, while it is.
    public var pauseReason: PauseReason?
    /// What it took from and gave to the result cache, once planned; absent without one.
    public var cache: CacheSummary?
    /// Documents in its plan, cached ones included.
    public var documentsPlanned: Int
    public var at: Date

    package init(record: ExperimentRecord, report: JSONValue? = nil, at: Date) {
        self.failedBatches = record.batchesFailed
        self.retries = record.retries
        self.inFlight = record.inFlight
        self.cancelled = record.state == .cancelled
        self.run = record.run
        self.lastProgressAt = record.lastProgressAt
        self.schemaVersion = MessageCoding.schemaVersion
        self.experimentID = record.id
        self.name = record.name
        self.state = record.state
        self.batchCount = record.batchCount
        self.batchesCompleted = record.batchesCompleted
        self.duplicatesIgnored = record.duplicatesIgnored
        self.synthesisRequests = record.synthesisRequests
        self.warnings = record.warnings
        self.error = record.failure
        self.report = report
        self.traceID = record.traceContext["traceparent"].flatMap(Self.traceID(fromTraceParent:))
        self.model = record.analysis?.modelDescription
        self.ledger = record.analysis?.meteredModel == nil ? nil : record.analysis?.ledger
        self.budget = record.analysis?.budget
        self.estimate = record.analysis?.estimate
        self.pauseReason = record.state == .paused ? record.pauseReason : nil
        self.cache = record.analysis?.cache
        self.documentsPlanned = record.documentsPlanned
        self.at = at
    }

    /// `00-<trace id>-<span id>-<flags>`: the second field, if the header is well formed.
    static func traceID(fromTraceParent value: String) -> String? {
        let fields = value.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[1].count == 32, fields[1].allSatisfy(\.isHexDigit), fields[1] != String(repeating: "0", count: 32)
        else { return nil }
        return String(fields[1])
    }

    // Everything from `failed_batches` to `trace_id` came after schema 1 was published; a
    // status from an orchestrator before them lacks them and reads as a run without
    // failures, retries or cancellation.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        experimentID = try container.decode(String.self, forKey: .experimentID)
        name = try container.decode(String.self, forKey: .name)
        state = try container.decode(ExperimentState.self, forKey: .state)
        batchCount = try container.decode(Int.self, forKey: .batchCount)
        batchesCompleted = try container.decode(Int.self, forKey: .batchesCompleted)
        duplicatesIgnored = try container.decode(Int.self, forKey: .duplicatesIgnored)
        synthesisRequests = try container.decode(Int.self, forKey: .synthesisRequests)
        failedBatches = try container.decodeIfPresent(Int.self, forKey: .failedBatches) ?? 0
        retries = try container.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        inFlight = try container.decodeIfPresent(Int.self, forKey: .inFlight) ?? 0
        cancelled = try container.decodeIfPresent(Bool.self, forKey: .cancelled) ?? (state == .cancelled)
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        at = try container.decode(Date.self, forKey: .at)
        lastProgressAt = try container.decodeIfPresent(Date.self, forKey: .lastProgressAt) ?? at
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
        error = try container.decodeIfPresent(String.self, forKey: .error)
        report = try container.decodeIfPresent(JSONValue.self, forKey: .report)
        traceID = try container.decodeIfPresent(String.self, forKey: .traceID)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        ledger = try container.decodeIfPresent(ModelLedger.self, forKey: .ledger)
        budget = try container.decodeIfPresent(Budget.self, forKey: .budget)
        pauseReason = try container.decodeIfPresent(PauseReason.self, forKey: .pauseReason)
        estimate = try container.decodeIfPresent(CostEstimate.self, forKey: .estimate)
        cache = try container.decodeIfPresent(CacheSummary.self, forKey: .cache)
        documentsPlanned = try container.decodeIfPresent(Int.self, forKey: .documentsPlanned) ?? 0
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, name, state, batchCount, batchesCompleted, duplicatesIgnored, synthesisRequests
        case failedBatches, retries, inFlight, cancelled, run, lastProgressAt
        case warnings, error, report, at, model, ledger, budget, pauseReason, estimate, cache, documentsPlanned
        case experimentID = "experimentId"
        case traceID = "traceId"
    }
}
