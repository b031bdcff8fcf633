import AMQP
import CRabbitMQ
import Foundation

/// The raw hop with one of Tributary's messaging choices switched on, to learn what each
/// costs the broker before changing it (`amqp-bench --request-reply --factors`).
struct HopVariant: Sendable {
    var name: String
    /// `x-delivery-limit` and a dead-letter exchange on both quorum queues, as on Tributary's
    /// task and result queues.
    var queueArguments = false
    /// Published to a direct exchange with a routing key and a binding, not the default exchange.
    var exchange = false
    /// Tributary's properties on every message: content type, message and correlation ids,
    /// type, app id, timestamp and three headers (a `traceparent`, two counters).
    var properties = false
    /// The mandatory flag on every publish.
    var mandatory = false
    /// A body of this many bytes instead of `--body-size`.
    var bodySize: Int?

    static let plain = HopVariant(name: "plain (the raw hop)")

    /// The plain hop, then each choice alone, then all of them together.
    static func factors(tributaryBodySize: Int) -> [HopVariant] {
        [
            plain,
            HopVariant(name: "+ x-delivery-limit and dead-letter exchange", queueArguments: true),
            HopVariant(name: "+ direct exchange and binding", exchange: true),
            HopVariant(name: "+ Tributary's properties and 3 headers", properties: true),
            HopVariant(name: "+ mandatory", mandatory: true),
            HopVariant(name: "+ \(tributaryBodySize) B bodies", bodySize: tributaryBodySize),
            HopVariant(
                name: "all of the above", queueArguments: true, exchange: true, properties: true, mandatory: true, bodySize: tributaryBodySize),
        ]
    }

    func queue(_ name: String, deadLetterExchange: String) -> QueueDeclaration {
        var declaration = QueueDeclaration(name: name, durable: true, queueType: .quorum)
        if queueArguments {
            declaration.deliveryLimit = 5
            declaration.deadLetterExchange = deadLetterExchange
        }
        return declaration
    }

    /// What a publish of this variant puts on the wire, for a queue `queue` on `exchange`.
    func route(queue: String, exchange exchangeName: String) -> HopRoute {
        HopRoute(exchange: exchange ? exchangeName : "", routingKey: queue, mandatory: mandatory, properties: properties)
    }
}

/// Where and how one side of the hop publishes.
struct HopRoute: Sendable {
    var exchange: String
    var routingKey: String
    var mandatory: Bool
    var properties: Bool

    static func queue(_ name: String) -> HopRoute { HopRoute(exchange: "", routingKey: name, mandatory: false, properties: false) }

    /// The C properties of a persistent message, built in `arena`, which must outlive the publishes.
    func basicProperties(in arena: CArena, index: Int) -> amqp_basic_properties_t {
        guard properties else {
            var plain = amqp_basic_properties_t()
            plain._flags = UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
            plain.delivery_mode = 2
            return plain
        }
        // The shape of a Tributary task: ids of a realistic length, a trace context and two counters.
        let id = "3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c.analyse_batch.\(index)"
        return arena.properties(
            AMQPProperties(
                contentType: "application/json",
                headers: [
                    "traceparent": .string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "x-tributary-attempt": .int64(1),
                    "x-tributary-run": .int64(1),
                ],
                deliveryMode: .persistent, correlationID: "3f2a9c4e-7b1d-4e8a-9c2f-5d6e7f8a9b0c", messageID: id,
                timestamp: UInt64(Date().timeIntervalSince1970), type: "task", appID: "tributary"))
    }
}

/// CPU time a process has used so far (user + system), from `/proc/PID/stat`.
enum ProcessCPU {
    static func seconds(of pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
