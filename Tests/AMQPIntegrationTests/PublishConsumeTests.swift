import AMQP
import Testing
import TributaryTestSupport
import TributaryTesting

@Suite(.serialized, TestBroker.required) struct PublishConsumeTests {
    @Test func everyPropertyAndHeaderKindSurvivesTheBroker() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("props")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let headers: AMQPTable = [
            "bool": .bool(true), "int8": .int8(-8), "uint8": .uint8(200), "int16": .int16(-30_000),
            "uint16": .uint16(60_000), "int32": .int32(-2_000_000_000), "uint32": .uint32(4_000_000_000),
            "int64": .int64(-9_000_000_000_000), "float": .float(1.5), "double": .double(-2.25e100),
            "decimal": .decimal(AMQPDecimal(scale: 2, value: 31_415)), "string": .string("héllo ✓"),
            "bytes": .bytes([0, 1, 255]), "timestamp": .timestamp(1_764_000_000), "void": .void,
            "array": .array([.int32(1), .string("two"), .array([.bool(false)]), .table(["k": .void])]),
            "table": .table(["nested": .table(["deep": .int64(42)])]),
        ]
        let properties = AMQPProperties(
            contentType: "application/octet-stream", contentEncoding: "identity", headers: headers,
            deliveryMode: .persistent, priority: 3, correlationID: "corr-1", replyTo: "reply.queue",
            expiration: "600000", messageID: "msg-1", timestamp: 1_764_000_001, type: "probe",
            userID: "guest", appID: "tributary-tests", clusterID: "cluster-x")
        let body = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } }

        try await connection.publish(body, routingKey: queue, properties: properties)
        let consumer = DeliveryReader(try await connection.consume(queue: queue))
        let delivery = try await consumer.next()
        #expect(delivery.body == body)
        #expect(delivery.properties == properties)
        #expect(delivery.routingKey == queue)
        #expect(delivery.redelivered == false)
        try delivery.ack()
    }

    /// Over-long short strings fail their own operation before anything is sent; the
    /// connection is not dropped and the next publish goes through.
    @Test(arguments: ["routing key", "message id", "header name", "binding key"])
    func overLongShortStringFailsOnlyItsOperation(_ field: String) async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("shortstr")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let long = String(repeating: "x", count: 256)
        let error = await #expect(throws: AMQPError.self) {
            switch field {
            case "routing key": try await connection.publish([1], routingKey: long)
            case "message id": try await connection.publish([1], routingKey: queue, properties: AMQPProperties(messageID: long))
            case "header name": try await connection.publish([1], routingKey: queue, properties: AMQPProperties(headers: [long: .int32(1)]))
            default: try await connection.bind(QueueBinding(queue: queue, exchange: "amq.topic", routingKey: long))
            }
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("256 bytes") == true)
        try await connection.publish([2], routingKey: queue, properties: AMQPProperties(messageID: String(repeating: "y", count: 255)))
        let delivery = try await DeliveryReader(try await connection.consume(queue: queue)).next()
        #expect(delivery.body == [2])
        try delivery.ack()
        #expect(try await connection.recoveryCount() == 0, "the connection was dropped")
    }

    @Test func tenThousandInFlightPersistentPublishesAreAllConfirmed() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("confirms")
        try await connection.declare(QueueDeclaration(name: queue, queueType: .quorum))
        let count = 10_000
        try await withDeadline(.seconds(60), "10,000 confirms") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await connection.publish(
                            Array("message \(index)".utf8), routingKey: queue,
                            properties: AMQPProperties(deliveryMode: .persistent, messageID: "\(index)"))
                    }
                }
                try await group.waitForAll()
            }
        }
        let declared = try await connection.declare(QueueDeclaration(name: queue, queueType: .quorum))
        #expect(declared.messageCount == UInt32(count))
        try await connection.deleteQueue(queue)
    }

    @Test func nackWithRequeueRedeliversWithTheRedeliveredFlag() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("nack")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await connection.publish(Array("again".utf8), routingKey: queue)
        let consumer = DeliveryReader(try await connection.consume(queue: queue))
        let first = try await consumer.next()
        #expect(first.redelivered == false)
        try first.nack(requeue: true)
        let second = try await consumer.next(_: "the redelivery")
        #expect(second.redelivered == true)
        #expect(second.body == Array("again".utf8))
        try second.ack()
    }

    @Test func rejectRoutesToTheDeadLetterQueue() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let dlx = BrokerEnvironment.uniqueName("dlx")
        let dlq = BrokerEnvironment.uniqueName("dlq")
        let queue = BrokerEnvironment.uniqueName("work")
        try await connection.declare(ExchangeDeclaration(name: dlx, kind: .fanout, durable: false, autoDelete: true))
        try await connection.declare(QueueDeclaration(name: dlq, durable: false, autoDelete: true))
        try await connection.bind(QueueBinding(queue: dlq, exchange: dlx, routingKey: ""))
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true, deadLetterExchange: dlx))
        try await connection.publish(Array("poison".utf8), routingKey: queue, properties: AMQPProperties(messageID: "p-1"))

        let work = DeliveryReader(try await connection.consume(queue: queue))
        try await work.next().reject()
        let dead = try await DeliveryReader(connection.consume(queue: dlq)).next(_: "the dead-lettered message")
        #expect(dead.body == Array("poison".utf8))
        #expect(dead.properties.messageID == "p-1")
        guard case .array(let deaths)? = dead.properties.headers?["x-death"], case .table(let death)? = deaths.first else {
            Issue.record("dead-lettered message has no x-death header")
            return
        }
        #expect(death["reason"] == .string("rejected"))
        #expect(death["queue"] == .string(queue))
        try dead.ack()
        try await connection.deleteExchange(dlx)
    }

    @Test func prefetchCapsUnacknowledgedDeliveries() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("prefetch")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: false))
        for index in 0..<20 { try await connection.publish(Array("\(index)".utf8), routingKey: queue) }
        let amqpConsumer = try await connection.consume(queue: queue, prefetch: 5)
        let consumer = DeliveryReader(amqpConsumer)
        var held: [AMQPDelivery] = []
        for _ in 0..<5 { held.append(try await consumer.next()) }
        // With five unacked deliveries out, the broker must hold the other fifteen back.
        let state = try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: false))
        #expect(state.messageCount == 15)
        try held[0].ack()
        let sixth = try await consumer.next(_: "the delivery freed by one ack")
        #expect(sixth.body == Array("5".utf8))
        try await amqpConsumer.cancel()
        try await connection.deleteQueue(queue)
    }

    @Test func unroutableMandatoryPublishFails() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish(
                Array("nowhere".utf8), exchange: "amq.direct",
                routingKey: BrokerEnvironment.uniqueName("nobody"), mandatory: true)
        }
        #expect(error?.code == .unroutable)
        #expect(error?.replyCode == 312)
        // The same connection keeps working, and a routable mandatory publish succeeds.
        let queue = BrokerEnvironment.uniqueName("routable")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await connection.publish(Array("ok".utf8), routingKey: queue, mandatory: true)
    }

    @Test func refusedDeclarationClosesOnlyItsChannel() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("conflict")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        let error = await #expect(throws: AMQPError.self) {
            try await connection.declare(QueueDeclaration(name: queue, durable: true))
        }
        #expect(error?.code == .channelClosed)
        #expect(error?.replyCode == 406)
        try await connection.publish(Array("still fine".utf8), routingKey: queue)
        let delivery = try await DeliveryReader(connection.consume(queue: queue)).next()
        #expect(delivery.body == Array("still fine".utf8))
        #expect(try await connection.recoveryCount() == 0)
    }

    @Test func nackedPublishFailsWithPublishNacked() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("full")
        // A full queue with reject-publish makes the broker answer basic.nack.
        try await connection.declare(
            QueueDeclaration(
                name: queue, durable: false, autoDelete: true, maxLength: 1,
                extraArguments: ["x-overflow": "reject-publish"]))
        try await connection.publish([1], routingKey: queue)
        let error = await #expect(throws: AMQPError.self) { try await connection.publish([2], routingKey: queue) }
        #expect(error?.code == .publishNacked)
        #expect(try await connection.purgeQueue(queue) == 1)
        try await connection.publish([3], routingKey: queue)
    }

    @Test func deletingTheQueueCancelsTheConsumerWithAnError() async throws {
        let connection = try await BrokerEnvironment.connect()
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("doomed")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: false))
        let consumer = try await connection.consume(queue: queue)
        let other = try await BrokerEnvironment.connect("deleter")
        try await other.deleteQueue(queue)
        await other.close()
        let error = await #expect(throws: AMQPError.self) {
            try await withDeadline(.seconds(10), "the consumer to end") {
                for try await _ in consumer {}
            }
        }
        #expect(error?.code == .consumerCancelled)
    }
}
