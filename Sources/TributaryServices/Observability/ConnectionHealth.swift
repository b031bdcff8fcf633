import AMQP
import CoreMetrics
import Metrics
import TributaryObservability

/// A service's broker connection as operators see it: the `broker` readiness check and the
/// `tributary_amqp_reconnects_total` counter.
package enum ConnectionHealth {
    package static func register(_ connection: AMQPConnection, in readiness: Readiness) {
        readiness.register("broker") { [weak connection] in
            guard let status = connection?.status else { return "connection closed" }
            return status.isOpen ? nil : "not connected (reconnecting): \(status.lastError ?? "connection lost")"
        }
    }

    /// Counts recoveries until the connection closes; run it as a child task of the service.
    package static func countReconnects(of connection: AMQPConnection) async {
        let counter = Counter(label: MetricName.amqpReconnects)
        var counted = connection.status.recoveries
        for await status in connection.statusUpdates() where status.recoveries > counted {
            counter.increment(by: Int64(status.recoveries - counted))
            counted = status.recoveries
        }
    }
}
