/// Where the trace context a step's tasks carry comes from.
///
/// The pure orchestrator knows no tracer, yet a trace viewer should show an experiment's
/// shape (pre-test, fan-out, synthesis), so it asks this for the context of a step's
/// dispatch. The services answer with a span of their tracer; without one, the tasks carry
/// the experiment's own context.
package protocol StepTracing: Sendable {
    /// Propagation headers for the tasks of `step` of `record` (its run and step attempt
    /// tell one dispatch from the next). Called once per task: an implementation gives
    /// the tasks of one dispatch the same context, so a fan-out is one span, not N.
    func headers(forStep step: TaskType, of record: ExperimentRecord) -> [String: String]
}
