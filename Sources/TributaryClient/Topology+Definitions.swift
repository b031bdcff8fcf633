import AMQP
import Foundation

extension Topology {
    /// The topology as a RabbitMQ definitions document, for `rabbitmqctl import_definitions`
    /// or the management UI, so an operator can create it before any service starts.
    public func definitions(virtualHost: String = "/") throws -> [UInt8] {
        func arguments(_ table: AMQPTable) -> [String: Any] {
            table.compactMapValues { value -> Any? in
                switch value {
                case .string(let text): text
                case .bool(let flag): flag
                default: value.intValue
                }
            }
        }
        let document: [String: Any] = [
            "vhosts": [["name": virtualHost]],
            "exchanges": exchanges.map {
                [
                    "name": $0.name, "vhost": virtualHost, "type": $0.kind.name, "durable": $0.durable,
                    "auto_delete": $0.autoDelete, "internal": $0.internal, "arguments": arguments($0.arguments),
                ]
            },
            "queues": queues.map {
                ["name": $0.name, "vhost": virtualHost, "durable": $0.durable, "auto_delete": $0.autoDelete, "arguments": arguments($0.arguments)]
            },
            "bindings": bindings.map {
                [
                    "source": $0.exchange, "vhost": virtualHost, "destination": $0.queue, "destination_type": "queue",
                    "routing_key": $0.routingKey, "arguments": arguments($0.arguments),
                ]
            },
        ]
        return Array(try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) + [0x0A]
    }
}
