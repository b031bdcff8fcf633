import CoreMetrics
import Metrics
import TributaryCore
import TributaryObservability

/// The orchestrator's metrics, made once at start so that recording one is a lookup and an
/// atomic add: they sit on the path of every task.
struct OrchestratorMetrics: Sendable {
    let tasksPublished: [TaskType: Counter]
    let results: [TaskType: [TaskStatus: Counter]]
    let retries: [TaskType: Counter]
    let duplicatesIgnored = Counter(label: MetricName.duplicatesIgnored)
    let outboxPending = Gauge(label: MetricName.outboxPending)
    let experiments: [ExperimentState: Gauge]
    let fanIn = Metrics.Timer(label: MetricName.fanIn)

    init() {
        let types = TaskType.allCases
        func byType<Metric>(_ make: (TaskType) -> Metric) -> [TaskType: Metric] {
            Dictionary(uniqueKeysWithValues: types.map { ($0, make($0)) })
        }
        tasksPublished = byType { Counter(label: MetricName.tasksPublished, dimensions: [("type", $0.rawValue)]) }
        retries = byType { Counter(label: MetricName.taskRetries, dimensions: [("type", $0.rawValue)]) }
        results = byType { type in
            Dictionary(
                uniqueKeysWithValues: [TaskStatus.completed, .failed].map {
                    ($0, Counter(label: MetricName.taskResults, dimensions: [("type", type.rawValue), ("status", $0.rawValue)]))
                })
        }
        experiments = Dictionary(
            uniqueKeysWithValues: ExperimentState.allCases.map { ($0, Gauge(label: MetricName.experiments, dimensions: [("state", $0.rawValue)])) })
    }

    /// A metered experiment's ledger grew: its model's calls, tokens, cost and rate-limit wait.
    /// Models are few and named by the operator's model table, so they are fit as labels;
    /// the factory caches each metric by label and dimensions.
    func recordModelSpend(_ spend: Orchestrator.Disposition.ModelSpend) {
        let model = ("model", spend.model)
        let added = spend.added
        if added.requests > 0 {
            Counter(label: MetricName.llmRequests, dimensions: [model, ("outcome", spend.outcome)]).increment(by: added.requests)
        }
        if added.rateLimited > 0 {
            Counter(label: MetricName.llmRequests, dimensions: [model, ("outcome", "rate_limited")]).increment(by: added.rateLimited)
        }
        if added.inputTokens > 0 { Counter(label: MetricName.llmTokens, dimensions: [model, ("direction", "input")]).increment(by: added.inputTokens) }
        if added.outputTokens > 0 { Counter(label: MetricName.llmTokens, dimensions: [model, ("direction", "output")]).increment(by: added.outputTokens) }
        if added.cost > 0 { FloatingPointCounter(label: MetricName.llmCost, dimensions: [model]).increment(by: added.cost) }
        if added.rateLimitWaitSeconds > 0 {
            FloatingPointCounter(label: MetricName.rateLimitWait, dimensions: [model]).increment(by: added.rateLimitWaitSeconds)
        }
    }

    /// Sets the per-state gauge from a full count; states absent from `counts` have none.
    func recordExperiments(_ counts: [ExperimentState: Int]) {
        for (state, gauge) in experiments { gauge.record(counts[state] ?? 0) }
    }
}
