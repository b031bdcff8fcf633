import CoreMetrics
import Metrics
import TributaryCore
import TributaryObservability

/// An agent's metrics, labelled with its task type so several agent kinds can share a dashboard.
struct AgentMetrics: Sendable {
    /// Handler time per task, successful or not.
    let taskDuration: Metrics.Timer
    /// Tasks being handled right now.
    let inFlight: Meter

    init(taskType: TaskType) {
        taskDuration = Metrics.Timer(label: MetricName.taskDuration, dimensions: [("type", taskType.rawValue)])
        inFlight = Meter(label: MetricName.agentInFlight, dimensions: [("type", taskType.rawValue)])
    }
}
