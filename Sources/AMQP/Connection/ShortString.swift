/// AMQP 0-9-1 short strings (exchange and queue names, routing keys, most properties, field
/// table keys) hold at most 255 bytes. Everything that becomes one is checked before a
/// frame is built, so an over-long value fails its own operation and nothing else.
enum ShortString {
    static let maximumBytes = 255

    static func validate(_ value: String, _ what: String, operation: String) throws(AMQPError) {
        let count = value.utf8.count
        guard count <= maximumBytes else {
            throw AMQPError(
                code: .invalidArgument, operation: operation,
                message: "\(what) is \(count) bytes; AMQP short strings hold at most \(maximumBytes)")
        }
    }

    static func validatePublish(exchange: String, routingKey: String, properties: AMQPProperties, operation: String) throws(AMQPError) {
        try validate(exchange, "exchange name", operation: operation)
        try validate(routingKey, "routing key", operation: operation)
        let fields: [(String, String?)] = [
            ("content_type", properties.contentType), ("content_encoding", properties.contentEncoding),
            ("correlation_id", properties.correlationID), ("reply_to", properties.replyTo),
            ("expiration", properties.expiration), ("message_id", properties.messageID), ("type", properties.type),
            ("user_id", properties.userID), ("app_id", properties.appID), ("cluster_id", properties.clusterID),
        ]
        for case (let name, let value?) in fields { try validate(value, "property \(name)", operation: operation) }
        if let headers = properties.headers { try validate(headers, "header", operation: operation) }
    }

    static func validateBinding(_ binding: QueueBinding, operation: String) throws(AMQPError) {
        try validate(binding.queue, "queue name", operation: operation)
        try validate(binding.exchange, "exchange name", operation: operation)
        try validate(binding.routingKey, "routing key", operation: operation)
        try validate(binding.arguments, "argument", operation: operation)
    }

    private static func validate(_ table: AMQPTable, _ what: String, operation: String) throws(AMQPError) {
        for (key, value) in table {
            try validate(key, "\(what) name '\(key.prefix(40))…'", operation: operation)
            try validate(value, "\(what) '\(key.prefix(40))'", operation: operation)
        }
    }

    private static func validate(_ value: AMQPFieldValue, _ what: String, operation: String) throws(AMQPError) {
        switch value {
        case .table(let nested): try validate(nested, "\(what) nested field", operation: operation)
        case .array(let elements): for element in elements { try validate(element, what, operation: operation) }
        default: break
        }
    }
}
