import Synchronization
import Tracing
import TributaryClient
import TributaryCore

/// A producer span per dispatch of a step, child of the experiment's span, whose context the
/// step's tasks carry: a trace viewer then shows pre-test, fan-out and synthesis as the
/// experiment's children, and each task under the step that sent it.
///
/// The span covers the decision to dispatch, not the step's whole run: the orchestrator
/// keeps nothing in memory across messages (a restart must lose nothing), so the wait for
/// results is measured by the agents' spans and the fan-in span instead.
final class StepSpans: StepTracing {
    private struct Dispatch: Hashable {
        let experimentID: String
        let step: TaskType
        let run: Int
        /// The step attempt; nil for batches, whose retries are part of the one fan-out.
        let attempt: Int?
    }

    /// Recent dispatches' headers, so a fan-out's tasks share one span, also when a windowed
    /// fan-out sends its later batches in later transactions. Bounded; a dispatch forgotten
    /// (or one from before a restart) gets a span of its own, which costs only tidiness.
    private let recent = Mutex<(headers: [Dispatch: [String: String]], order: [Dispatch])>(([:], []))
    private let capacity: Int

    init(capacity: Int = 1024) { self.capacity = max(capacity, 1) }

    func headers(forStep step: TaskType, of record: ExperimentRecord) -> [String: String] {
        let dispatch = Dispatch(
            experimentID: record.id, step: step, run: record.run, attempt: step == .analyseBatch ? nil : record.stepAttempts)
        if let known = recent.withLock({ $0.headers[dispatch] }) { return known }

        let span = InstrumentationSystem.tracer.startSpan(
            "experiment.\(step.rawValue)", context: TracePropagation.context(fromStored: record.traceContext), ofKind: .producer)
        span.attributes["tributary.experiment_id"] = record.id
        span.attributes["tributary.run"] = record.run
        if let attempt = dispatch.attempt { span.attributes["tributary.attempt"] = attempt }
        if step == .analyseBatch { span.attributes["tributary.batch_count"] = record.batchCount }
        span.end()
        var headers = TracePropagation.headers(for: span.context)
        // No tracer here: the experiment's own context, so the trace still reaches the agents.
        if headers.isEmpty { headers = record.traceContext }
        recent.withLock { state in
            if state.headers.updateValue(headers, forKey: dispatch) == nil { state.order.append(dispatch) }
            if state.order.count > capacity { state.headers[state.order.removeFirst()] = nil }
        }
        return headers
    }
}
