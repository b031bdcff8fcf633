import AMQP
import CoreMetrics
import Metrics
import TributaryClient
import TributaryCore
import TributaryObservability

extension AMQPConnection {
    /// Sends a message that can never be processed to the dead-letter queue with the reason
    /// attached, then acks it. If that publish fails, rejects it so the broker dead-letters it
    /// anyway (without the reason): either way it is kept, and never blocks the queue.
    ///
    /// `code` is the reason's stable prefix (`malformed`, `unsupported_schema_version`, …): the
    /// `reason` label of `tributary_dead_letters_total`.
    func deadLetter(_ delivery: AMQPDelivery, reason: String, code: String, topology: Topology, source: String) async {
        var properties = delivery.properties
        var headers = properties.headers ?? [:]
        headers["x-tributary-rejection-reason"] = .string(reason)
        headers["x-tributary-source-queue"] = .string(source)
        properties.headers = headers
        Counter(label: MetricName.deadLetters, dimensions: [("queue", source), ("reason", code)]).increment()
        do {
            try await publish(delivery.body, exchange: topology.deadLetterExchange, routingKey: source, properties: properties)
            try delivery.ack()
        } catch {
            try? delivery.reject(requeue: false)
        }
    }

    /// Dead-letters for `error`, its contract code as the reason label.
    func deadLetter(_ delivery: AMQPDelivery, for error: any Error, topology: Topology, source: String) async {
        let code = (error as? ContractError)?.code.rawValue ?? "unprocessable"
        await deadLetter(delivery, reason: "\(error)", code: code, topology: topology, source: source)
    }
}
