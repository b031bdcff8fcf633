import Foundation
import Testing
import TributaryObservability
import TributaryServices
import TributaryTestSupport

/// The metric names are a contract: the docs list each one, and the dashboard users import
/// asks only for metrics that exist.
@Suite struct MetricNameTests {
    static let names = [
        MetricName.tasksPublished, MetricName.taskResults, MetricName.taskRetries, MetricName.duplicatesIgnored, MetricName.deadLetters,
        MetricName.outboxPending, MetricName.experiments, MetricName.fanIn, MetricName.taskDuration, MetricName.agentInFlight,
        MetricName.amqpReconnects,
    ]

    @Test func everyMetricIsDocumented() throws {
        let operations = try String(contentsOfFile: Repository.path("Docs/operations.md"), encoding: .utf8)
        for name in Self.names { #expect(operations.contains("| `\(name)` |"), "\(name) is missing from Docs/operations.md") }
    }

    @Test func dashboardQueriesOnlyMetricsThatExist() throws {
        let dashboard = try String(contentsOfFile: Repository.path("Deploy/observability/tributary-dashboard.json"), encoding: .utf8)
        let used = Set(
            dashboard.matches(of: /tributary_[a-z_]+/).map { match in
                String(match.output).replacing(/_(bucket|count|sum)$/, with: "")
            })
        #expect(!used.isEmpty)
        #expect(used.subtracting(Self.names).isEmpty, "unknown metrics in the dashboard: \(used.subtracting(Self.names).sorted())")
        // Every metric has a panel, so nothing an operator needs is left off the dashboard.
        #expect(Set(Self.names).subtracting(used).isEmpty, "metrics without a panel: \(Set(Self.names).subtracting(used).sorted())")
    }
}
