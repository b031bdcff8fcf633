import AMQP
import Testing
import TributaryTestSupport
import TributaryTesting

/// A list of brokers (a cluster's nodes): the first reachable one is used, and every
/// unreachable one is named if none is.
@Suite(.serialized, TestBroker.required) struct FailoverTests {
    @Test func listOfURIsParsesIntoEndpoints() throws {
        let configuration = try AMQPConfiguration(url: "amqp://u:p@node-a:5672/v, amqp://u:p@node-b:5673/v,amqp://u:p@[::1]/v")
        #expect(configuration.endpoints.map(\.description) == ["node-a:5672", "node-b:5673", "[::1]:5672"])
        #expect(configuration.username == "u" && configuration.password == "p" && configuration.virtualHost == "v")
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://u:p@a/v,amqp://other:p@b/v") }
    }

    @Test func deadFirstNodeIsSkipped() async throws {
        var configuration = try BrokerEnvironment.configuration()
        let live = AMQPConfiguration.Endpoint(host: configuration.host, port: configuration.port)
        configuration.host = "127.0.0.1"
        configuration.port = try freePort()  // nothing listens here
        configuration.alternateEndpoints = [live]
        let connection = try await AMQPConnection.connect(configuration)
        #expect(connection.status.isOpen)
        await connection.close()
    }

    @Test func noReachableNodeNamesEachOne() async throws {
        var configuration = try BrokerEnvironment.configuration()
        let (first, second) = (try freePort(), try freePort())
        configuration.host = "127.0.0.1"
        configuration.port = first
        configuration.alternateEndpoints = [AMQPConfiguration.Endpoint(host: "127.0.0.1", port: second)]
        let error = await #expect(throws: AMQPError.self) { try await AMQPConnection.connect(configuration) }
        #expect(error?.message.contains("127.0.0.1:\(first)") == true && error?.message.contains("127.0.0.1:\(second)") == true, "\(String(describing: error))")
    }
}
