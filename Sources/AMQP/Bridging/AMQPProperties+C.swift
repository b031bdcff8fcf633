import CRabbitMQ

extension CArena {
    package func properties(_ p: AMQPProperties) -> amqp_basic_properties_t {
        var c = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func set(_ value: String?, _ flag: Int32, _ field: inout amqp_bytes_t) {
            guard let value else { return }
            field = bytes(value)
            flags |= UInt32(flag)
        }
        set(p.contentType, AMQP_BASIC_CONTENT_TYPE_FLAG, &c.content_type)
        set(p.contentEncoding, AMQP_BASIC_CONTENT_ENCODING_FLAG, &c.content_encoding)
        set(p.correlationID, AMQP_BASIC_CORRELATION_ID_FLAG, &c.correlation_id)
        set(p.replyTo, AMQP_BASIC_REPLY_TO_FLAG, &c.reply_to)
        set(p.expiration, AMQP_BASIC_EXPIRATION_FLAG, &c.expiration)
        set(p.messageID, AMQP_BASIC_MESSAGE_ID_FLAG, &c.message_id)
        set(p.type, AMQP_BASIC_TYPE_FLAG, &c.type)
        set(p.userID, AMQP_BASIC_USER_ID_FLAG, &c.user_id)
        set(p.appID, AMQP_BASIC_APP_ID_FLAG, &c.app_id)
        set(p.clusterID, AMQP_BASIC_CLUSTER_ID_FLAG, &c.cluster_id)
        if let headers = p.headers {
            c.headers = table(headers)
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
        }
        if let mode = p.deliveryMode {
            c.delivery_mode = mode.rawValue
            flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
        }
        if let priority = p.priority {
            c.priority = priority
            flags |= UInt32(AMQP_BASIC_PRIORITY_FLAG)
        }
        if let timestamp = p.timestamp {
            c.timestamp = timestamp
            flags |= UInt32(AMQP_BASIC_TIMESTAMP_FLAG)
        }
        c._flags = flags
        return c
    }
}

extension AMQPProperties {
    init(_ c: amqp_basic_properties_t) throws(AMQPError) {
        self.init()
        let flags = c._flags
        func get(_ flag: Int32, _ field: amqp_bytes_t) -> String? {
            flags & UInt32(flag) != 0 ? field.string : nil
        }
        contentType = get(AMQP_BASIC_CONTENT_TYPE_FLAG, c.content_type)
        contentEncoding = get(AMQP_BASIC_CONTENT_ENCODING_FLAG, c.content_encoding)
        correlationID = get(AMQP_BASIC_CORRELATION_ID_FLAG, c.correlation_id)
        replyTo = get(AMQP_BASIC_REPLY_TO_FLAG, c.reply_to)
        expiration = get(AMQP_BASIC_EXPIRATION_FLAG, c.expiration)
        messageID = get(AMQP_BASIC_MESSAGE_ID_FLAG, c.message_id)
        type = get(AMQP_BASIC_TYPE_FLAG, c.type)
        userID = get(AMQP_BASIC_USER_ID_FLAG, c.user_id)
        appID = get(AMQP_BASIC_APP_ID_FLAG, c.app_id)
        clusterID = get(AMQP_BASIC_CLUSTER_ID_FLAG, c.cluster_id)
        if flags & UInt32(AMQP_BASIC_HEADERS_FLAG) != 0 { headers = try AMQPTable(c.headers) }
        if flags & UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG) != 0 { deliveryMode = DeliveryMode(rawValue: c.delivery_mode) }
        if flags & UInt32(AMQP_BASIC_PRIORITY_FLAG) != 0 { priority = c.priority }
        if flags & UInt32(AMQP_BASIC_TIMESTAMP_FLAG) != 0 { timestamp = c.timestamp }
    }
}
