import AMQP
import Foundation

extension AMQPProperties {
    /// The properties every Tributary message carries.
    package static func contract(messageID: String, correlationID: String, type: String, headers: [String: Int] = [:], persistent: Bool = true)
        -> AMQPProperties
    {
        AMQPProperties(
            contentType: "application/json",
            headers: headers.isEmpty ? nil : headers.mapValues { .int64(Int64($0)) },
            deliveryMode: persistent ? .persistent : .transient,
            correlationID: correlationID,
            messageID: messageID,
            timestamp: UInt64(Date().timeIntervalSince1970),
            type: type,
            appID: "tributary")
    }
}
