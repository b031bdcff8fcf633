import AMQP
import TributaryClient

extension AMQPConnection {
    /// Sends a message that can never be processed to the dead-letter queue with the reason
    /// attached, then acks it. If that publish fails, rejects it so the broker dead-letters it
    /// anyway (without the reason): either way it is kept, and never blocks the queue.
    func deadLetter(_ delivery: AMQPDelivery, reason: String, topology: Topology, source: String) async {
        var properties = delivery.properties
        var headers = properties.headers ?? [:]
        headers["x-tributary-rejection-reason"] = .string(reason)
        headers["x-tributary-source-queue"] = .string(source)
        properties.headers = headers
        do {
            try await publish(delivery.body, exchange: topology.deadLetterExchange, routingKey: source, properties: properties)
            try delivery.ack()
        } catch {
            try? delivery.reject(requeue: false)
        }
    }
}
