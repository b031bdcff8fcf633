import AMQP
import Foundation

extension AMQPProperties {
    /// The properties every Tributary message carries: integer headers (`attempt`,
    /// `batch_index`, …) and the trace's propagation headers as strings.
    package static func contract(
        messageID: String, correlationID: String, type: String, headers: [String: Int] = [:], traceHeaders: [String: String] = [:],
        persistent: Bool = true
    ) -> AMQPProperties {
        var table: AMQPTable = [:]
        for (name, value) in headers { table[name] = .int64(Int64(value)) }
        for (name, value) in traceHeaders { table[name] = .string(value) }
        return AMQPProperties(
            contentType: "application/json",
            headers: table.isEmpty ? nil : table,
            deliveryMode: persistent ? .persistent : .transient,
            correlationID: correlationID,
            messageID: messageID,
            timestamp: UInt64(Date().timeIntervalSince1970),
            type: type,
            appID: "tributary")
    }
}
