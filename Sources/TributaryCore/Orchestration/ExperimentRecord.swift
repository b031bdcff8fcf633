import Foundation

/// The orchestrator's durable state for one experiment.
///
/// The submitted spec (the whole corpus) is stored beside it, once, and read only when
/// tasks are built: the record itself is rewritten on every result and must stay small.
/// Batches have records of their own (``BatchRecord``); the counters here summarise them.
package struct ExperimentRecord: Sendable, Hashable {
    package var id: String
    package var name: String
    package var state: ExperimentState
    package var batchCount: Int
    package var batchesCompleted: Int
    /// Batches that failed for good (in the current run).
    package var batchesFailed: Int
    /// Attempts currently sent and awaiting a result.
    package var inFlight: Int
    /// Batches waiting for their retry time.
    package var retryWaiting: Int
    /// Attempts re-issued after a failure or a timeout, over the experiment's life.
    package var retries: Int
    package var duplicatesIgnored: Int
    package var synthesisRequests: Int
    /// 1, and one more for every `retry` of the experiment.
    package var run: Int
    package var warnings: [String]
    package var failure: String?
    package var createdAt: Date
    package var updatedAt: Date
    /// When a batch last succeeded or failed for good, or the state last changed.
    package var lastProgressAt: Date
    /// The synthesis output, JSON-encoded, once completed.
    package var report: [UInt8]?
    /// The attempt of the current single-task step (pre_test, corpus_synthesis); 0 before the first.
    package var stepAttempt: Int
    /// The step's timer: its attempt's deadline, or its retry time while ``stepWaiting``.
    package var stepDueAt: Date?
    /// The step's last attempt failed and the next waits for ``stepDueAt``.
    package var stepWaiting: Bool
    /// The first attempt number of the current step. Stored attempts are counted across the
    /// experiment's steps and runs; a task carries its number within the step
    /// (``stepAttempts``) and, for the synthesis, its run.
    package var stepFirstAttempt: Int
    /// Documents in the batch plan.
    package var documentsPlanned: Int
    // The experiment's resilience settings, copied from its spec so no result needs the spec.
    package var retry: RetryPolicy
    package var taskTimeout: TaskDuration
    package var tolerance: FailureTolerance
    package var maxInFlight: Int
    /// The submitter's trace context, as propagation headers; every message the experiment
    /// causes carries it.
    package var traceContext: [String: String]
    /// The analyser's lane, model and ledger; nil for an experiment that chose no analyser.
    package var analysis: AnalysisRecord?
    /// Why the experiment is paused, while it is.
    package var pauseReason: PauseReason?

    package init(
        id: String, name: String, state: ExperimentState, batchCount: Int = 0, batchesCompleted: Int = 0,
        batchesFailed: Int = 0, inFlight: Int = 0, retryWaiting: Int = 0, retries: Int = 0,
        duplicatesIgnored: Int = 0, synthesisRequests: Int = 0, run: Int = 1, warnings: [String] = [], failure: String? = nil,
        createdAt: Date, updatedAt: Date, lastProgressAt: Date? = nil, report: [UInt8]? = nil,
        stepAttempt: Int = 0, stepDueAt: Date? = nil, stepWaiting: Bool = false, stepFirstAttempt: Int = 1, documentsPlanned: Int = 0,
        retry: RetryPolicy = RetryPolicy(), taskTimeout: TaskDuration = ExperimentSpec.defaultTaskTimeout,
        tolerance: FailureTolerance = .none, maxInFlight: Int = ExperimentSpec.defaultMaxInFlight, traceContext: [String: String] = [:],
        analysis: AnalysisRecord? = nil, pauseReason: PauseReason? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.batchCount = batchCount
        self.batchesCompleted = batchesCompleted
        self.batchesFailed = batchesFailed
        self.inFlight = inFlight
        self.retryWaiting = retryWaiting
        self.retries = retries
        self.duplicatesIgnored = duplicatesIgnored
        self.synthesisRequests = synthesisRequests
        self.run = run
        self.warnings = warnings
        self.failure = failure
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastProgressAt = lastProgressAt ?? updatedAt
        self.report = report
        self.stepAttempt = stepAttempt
        self.stepDueAt = stepDueAt
        self.stepWaiting = stepWaiting
        self.stepFirstAttempt = stepFirstAttempt
        self.documentsPlanned = documentsPlanned
        self.retry = retry
        self.taskTimeout = taskTimeout
        self.tolerance = tolerance
        self.maxInFlight = maxInFlight
        self.traceContext = traceContext
        self.analysis = analysis
        self.pauseReason = pauseReason
    }

    /// Batches planned but not yet sent.
    package var batchesPending: Int { batchCount - batchesCompleted - batchesFailed - inFlight - retryWaiting }

    /// How many more batches may be sent now.
    package var dispatchCapacity: Int { max(0, min(batchesPending, maxInFlight - inFlight - retryWaiting)) }

    /// Every batch has an outcome.
    package var allBatchesEnded: Bool { batchesCompleted + batchesFailed == batchCount }

    /// Attempts the current step has had so far.
    package var stepAttempts: Int { stepAttempt - stepFirstAttempt + 1 }

    /// The experiment's budget is spent, by what its counted results used.
    package var budgetReached: Bool {
        guard let analysis, let budget = analysis.budget else { return false }
        return budget.isReached(cost: analysis.ledger.cost, tokens: analysis.ledger.totalTokens)
    }

    /// How many more batches the budget lets out now, or nil without a budget. Each batch out
    /// is projected at what a call has cost so far (the counted calls' mean; before any, the
    /// estimate's), so the tasks still out when the budget is reached overshoot it by about
    /// a batch, not by a whole queue of them. With nothing out one batch may always go: the
    /// budget is not reached until it is spent.
    package var budgetAllowance: Int? {
        guard let analysis, let budget = analysis.budget else { return nil }
        let ledger = analysis.ledger
        let perCall: (cost: Double, tokens: Double)
        if ledger.requests > 0 {
            perCall = (ledger.cost / Double(ledger.requests), Double(ledger.totalTokens) / Double(ledger.requests))
        } else if let estimate = analysis.estimate, estimate.requests > 0 {
            perCall = ((estimate.cost ?? 0) / Double(estimate.requests), Double(estimate.totalTokens) / Double(estimate.requests))
        } else {
            return nil
        }
        let callsPerBatch = Double(max(1, documentsPlanned)) / Double(max(1, batchCount))
        let out = inFlight + retryWaiting
        var allowed = Int.max
        func limit(remaining: Double, each: Double) {
            guard each > 0 else { return }
            let batches = (max(0, remaining) / (each * callsPerBatch)).rounded(.down)
            if batches < Double(Int32.max) { allowed = min(allowed, Int(batches) - out) }
        }
        if let maxCost = budget.maxCost { limit(remaining: maxCost - ledger.cost, each: perCall.cost) }
        if let maxTokens = budget.maxTokens { limit(remaining: Double(maxTokens - ledger.totalTokens), each: perCall.tokens) }
        return max(out == 0 ? 1 : 0, allowed)
    }

    /// Failed batches beyond what the experiment tolerates.
    package var failuresExceedTolerance: Bool { batchesFailed > tolerance.allowedFailures(of: batchCount) }
}
