extension Orchestrator {
    /// What became of one input, for logs and metrics: a named event and the ids it concerns.
    package struct Disposition: Sendable, Hashable {
        package var event: Event
        package var experimentID: String
        package var taskID: String?
        package var batchIndex: Int?
        /// The task type the input concerned: a result's, or the step a timer re-sent.
        package var taskType: TaskType?
        /// What the input added to its experiment's model ledger, for the model metrics.
        package var spend: ModelSpend?

        package init(_ event: Event, experimentID: String, taskID: String? = nil, batchIndex: Int? = nil, taskType: TaskType? = nil) {
            self.event = event
            self.experimentID = experimentID
            self.taskID = taskID
            self.batchIndex = batchIndex
            self.taskType = taskType
        }

        /// What one input added to a metered experiment's ledger.
        package struct ModelSpend: Sendable, Hashable {
            package var model: String
            package var added: ModelLedger
            /// How the calls ended: `ok` (a counted result), `failed` (a failed attempt's calls).
            package var outcome: String
        }

        /// False when the input changed nothing but, at most, a duplicate tally.
        package var applied: Bool { event.isApplied }
    }

    /// Everything the orchestrator can make of an input. The raw values are stable: they
    /// appear in logs as `tributary.event`.
    package enum Event: String, Sendable, Hashable, CaseIterable {
        case experimentReceived = "experiment_received"
        case batchesPlanned = "batches_planned"
        case batchCounted = "batch_counted"
        case synthesisRequested = "synthesis_requested"
        case experimentCompleted = "experiment_completed"
        case experimentFailed = "experiment_failed"
        case experimentCancelled = "experiment_cancelled"
        /// `tributary retry`: the batches that did not succeed are sent again, in a new run.
        case experimentRerun = "experiment_rerun"
        /// A batch failed for good; the experiment tolerates it.
        case batchFailed = "batch_failed"
        /// An attempt failed and the next is scheduled after a backoff.
        case attemptFailed = "attempt_failed"
        /// An attempt passed its deadline and was sent again.
        case attemptTimedOut = "attempt_timed_out"
        /// A waiting retry was sent.
        case retryDispatched = "retry_dispatched"
        /// A timer of an experiment that had moved on; cleared.
        case timerVoid = "timer_void"
        /// Its model's limits allow more of an experiment's batches: dispatch resumed.
        case dispatchResumed = "dispatch_resumed"
        /// Paused, by `tributary pause` or by its budget.
        case experimentPaused = "experiment_paused"
        case experimentResumed = "experiment_resumed"
        /// Pausing an experiment that is not analysing.
        case pauseIgnored = "pause_ignored"
        /// Resuming an experiment that is not paused.
        case resumeIgnored = "resume_ignored"
        /// Resuming an experiment whose budget is still spent: it stays paused.
        case resumeRefused = "resume_refused"
        /// Cancelling an experiment that had already ended.
        case cancelIgnored = "cancel_ignored"
        /// Re-running an experiment with nothing to re-run.
        case retryIgnored = "retry_ignored"
        /// A request for an experiment id that already exists (counted in `duplicates_ignored`).
        case duplicateRequest = "duplicate_request"
        /// A second result for a batch already counted, or a result for a step the experiment
        /// has left (counted in `duplicates_ignored`).
        case duplicateResult = "duplicate_result"
        /// A result for an experiment this orchestrator does not know.
        case unknownExperiment = "unknown_experiment"
        /// A result whose task id does not match its experiment, type and batch.
        case mismatchedTaskID = "mismatched_task_id"
        /// A result for a step the experiment has not reached yet.
        case unexpectedResult = "unexpected_result"
        /// A batch index outside the experiment's plan, or none.
        case batchOutOfRange = "batch_out_of_range"

        package var isApplied: Bool {
            switch self {
            case .experimentReceived, .batchesPlanned, .batchCounted, .synthesisRequested, .experimentCompleted, .experimentFailed,
                .experimentCancelled, .experimentRerun, .batchFailed, .attemptFailed, .attemptTimedOut, .retryDispatched, .timerVoid,
                .dispatchResumed, .experimentPaused, .experimentResumed, .resumeRefused:
                true
            case .pauseIgnored, .resumeIgnored, .duplicateRequest, .duplicateResult, .unknownExperiment, .mismatchedTaskID, .unexpectedResult, .batchOutOfRange,
                .cancelIgnored, .retryIgnored:
                false
            }
        }
    }
}
