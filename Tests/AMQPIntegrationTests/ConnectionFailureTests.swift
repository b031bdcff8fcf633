import AMQP
import Testing
import TributaryTestSupport
import TributaryTesting

@Suite(.serialized, TestBroker.required) struct ConnectionFailureTests {
    @Test func idleConnectionWithShortHeartbeatSurvives() async throws {
        var configuration = try BrokerEnvironment.configuration()
        configuration.heartbeat = .seconds(2)
        let connection = try await AMQPConnection.connect(configuration)
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("idle")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        // The idle period is what is under test, not a wait for some event: five heartbeat intervals of silence.
        try await Task.sleep(for: .seconds(10))
        try await connection.publish(Array("awake".utf8), routingKey: queue)
        let delivery = try await DeliveryReader(connection.consume(queue: queue)).next()
        #expect(delivery.body == Array("awake".utf8))
        #expect(try await connection.recoveryCount() == 0)
    }

    @Test func consumerResumesAfterBrokerClosesAllConnections() async throws {
        let configuration = try BrokerEnvironment.configuration()
        let connection = try await AMQPConnection.connect(configuration)
        defer { Task { await connection.close() } }
        let queue = BrokerEnvironment.uniqueName("recover")
        try await connection.declare(QueueDeclaration(name: queue, queueType: .quorum))
        let consumer = DeliveryReader(try await connection.consume(queue: queue, prefetch: 10))
        try await connection.publish(Array("before".utf8), routingKey: queue)
        try await consumer.next().ack()

        #expect(try BrokerEnvironment.forceClose(connectionNamed: configuration.connectionName) == 1)

        // Published through the same connection: waits for it to be re-opened, then is confirmed.
        try await withDeadline(.seconds(30), "publish after recovery") {
            try await connection.publish(Array("after".utf8), routingKey: queue)
        }
        let delivery = try await consumer.next(within: .seconds(30), "a delivery after recovery")
        #expect(delivery.body == Array("after".utf8))
        try delivery.ack()
        #expect(try await connection.recoveryCount() >= 1)
        try await connection.deleteQueue(queue)
    }

    @Test func closedPortFailsFastWithAClearError() async throws {
        var configuration = try BrokerEnvironment.configuration()
        configuration.port = 1
        configuration.connectTimeout = .seconds(3)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: AMQPError.self) { try await AMQPConnection.connect(configuration) }
        #expect(error?.code == .connectionFailed)
        #expect(error?.operation.contains(":1") == true)
        #expect(clock.now - start < .seconds(3))
    }

    @Test func badCredentialsFailWithAuthenticationError() async throws {
        var configuration = try BrokerEnvironment.configuration()
        configuration.password = "definitely-wrong-password"
        let error = await #expect(throws: AMQPError.self) { try await AMQPConnection.connect(configuration) }
        #expect(error?.code == .authenticationFailed)
        #expect(error.map { "\($0)" }?.contains("definitely-wrong-password") == false)
    }

    @Test func closeDoesNotHangWhenBrokerConnectionIsGone() async throws {
        var configuration = try BrokerEnvironment.configuration()
        configuration.reconnect.enabled = false
        configuration.rpcTimeout = .seconds(2)
        let connection = try await AMQPConnection.connect(configuration)
        #expect(try BrokerEnvironment.forceClose(connectionNamed: configuration.connectionName) == 1)
        try await withDeadline(.seconds(10), "close after the broker dropped us") { await connection.close() }
        let error = await #expect(throws: AMQPError.self) {
            try await connection.publish([1], routingKey: "anything")
        }
        #expect(error?.code == .shutdown)
    }
}
