/// Where an experiment's analyse tasks are routed: a lane per analyser kind, so a task only
/// ever reaches an agent that can run it.
///
/// - The default lane (`analyse_batch`, the queue `<ns>.tasks.analyse_batch`) takes the
///   tasks of experiments that chose no analyser, and every analyse agent serves it with its
///   default analyser: the built-in one, or its `--analyser-command`. That is how every
///   deployment ran before analysers could be chosen, and it still does.
/// - `analyse_batch.builtin`, `analyse_batch.external` and `analyse_batch.llm` take the tasks
///   of experiments that chose that kind. Every analyse agent serves `builtin`; agents with
///   `--analyser-command` serve `external`; agents with `--llm-base-url` serve `llm`.
///
/// A kind no agent serves leaves its tasks waiting in its queue, not failing at the wrong
/// agent; the experiment's `task_timeout` bounds the wait.
public enum AnalysisLane {
    /// The routing key, and the suffix of the queue name, of a kind's lane; `nil` is the default lane.
    public static func routingKey(for kind: AnalyserSettings.Kind?) -> String {
        kind.map { "\(TaskType.analyseBatch.rawValue).\($0.rawValue)" } ?? TaskType.analyseBatch.rawValue
    }
}
