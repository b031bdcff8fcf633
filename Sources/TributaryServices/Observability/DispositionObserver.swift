import CoreMetrics
import Logging
import Tracing
import TributaryCore
import TributaryStore

/// Turns what the orchestrator made of its inputs into logs and metrics, after each commit.
struct DispositionObserver: Sendable {
    /// When a batch of deliveries arrived, on both clocks: the metric's and the trace's.
    struct Arrival: Sendable {
        var clock: ContinuousClock.Instant
        var trace: DefaultTracerClock.Timestamp

        static var now: Arrival { Arrival(clock: .now, trace: DefaultTracerClock.now) }
    }

    let metrics: OrchestratorMetrics
    let fanIn: FanInTracker
    let store: any ExperimentStore
    let logger: Logger

    /// Starts timing the fan-ins these dispositions began. Called before their synthesis tasks
    /// go to the publisher: a confirm can come back before the rest of the observing is done.
    func beginFanIns(_ dispositions: [Orchestrator.Disposition], arrival: Arrival) {
        for disposition in dispositions where disposition.event == .synthesisRequested {
            fanIn.begin(disposition.experimentID, at: arrival.clock, traceTime: arrival.trace)
        }
    }

    /// - Parameter inputs: the inputs the dispositions answer, position for position; nil for timers.
    func observe(_ dispositions: [Orchestrator.Disposition], inputs: [Orchestrator.Input]?, arrival: Arrival) async {
        var stateChanged = false
        for (position, disposition) in dispositions.enumerated() {
            if disposition.applied {
                logger.debug("applied", metadata: disposition.logMetadata)
            } else {
                logger.info("ignored", metadata: disposition.logMetadata)
            }
            switch disposition.event {
            case .duplicateRequest, .duplicateResult:
                metrics.duplicatesIgnored.increment()
            case .retryDispatched, .attemptTimedOut:
                if let type = disposition.taskType { metrics.retries[type]?.increment() }
            default:
                break
            }
            if disposition.event.changesState { stateChanged = true }
            if let spend = disposition.spend { metrics.recordModelSpend(spend) }
            guard disposition.applied, let input = inputs?[position] else { continue }
            switch input {
            case .result(let result): metrics.results[result.taskType]?[result.status]?.increment()
            case .deadLetteredTask(let task, _, _, _): metrics.results[task.taskType]?[.failed]?.increment()
            case .request, .cancel, .retry, .pause, .resume: break
            }
        }
        if stateChanged { await refreshExperimentCounts() }
    }

    /// Recounts experiments by state: at start, and after any commit that moved one.
    func refreshExperimentCounts() async {
        do {
            metrics.recordExperiments(try await store.experimentCountsByState())
        } catch {
            logger.warning("could not count experiments by state", metadata: .tributary([.error: "\(error)"]))
        }
    }
}

extension Orchestrator.Event {
    /// Events after which some experiment is in another state.
    fileprivate var changesState: Bool {
        switch self {
        case .experimentReceived, .batchesPlanned, .synthesisRequested, .experimentCompleted, .experimentFailed, .experimentCancelled,
            .experimentRerun, .experimentPaused, .experimentResumed:
            true
        default:
            false
        }
    }
}
