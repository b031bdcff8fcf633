import AMQP

/// The same work through our Swift layer, written the way an application would use it.
enum LayerClient {
    static func publish(connection: AMQPConnection, count: Int, queue: String, body: [UInt8], window: Int) async throws {
        let properties = AMQPProperties(contentType: "application/octet-stream", deliveryMode: .persistent)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = 0
            while started < min(window, count) {
                group.addTask { try await connection.publish(body, routingKey: queue, properties: properties) }
                started += 1
            }
            while try await group.next() != nil {
                if started < count {
                    group.addTask { try await connection.publish(body, routingKey: queue, properties: properties) }
                    started += 1
                }
            }
        }
    }

    static func consume(connection: AMQPConnection, count: Int, queue: String, prefetch: UInt16) async throws {
        let consumer = try await connection.consume(queue: queue, prefetch: prefetch)
        var received = 0
        for try await delivery in consumer {
            try delivery.ack()
            received += 1
            if received == count { break }
        }
        try await consumer.cancel()
    }
}
