import AMQP
import Logging
import Testing
import TributaryTestSupport

/// The AMQP layer's log lines carry only `amqp.`-prefixed metadata, as postgres-nio prefixes
/// its own with `psql_`: beside an application's keys they neither clash nor need guessing.
@Suite(.serialized, TestBroker.required) struct LogKeyTests {
    @Test func connectLossReconnectAndCloseLogOnlyPrefixedKeys() async throws {
        let logs = CapturedLogs()
        let configuration = try BrokerEnvironment.configuration()
        let connection = try await AMQPConnection.connect(configuration, logger: logs.logger())
        #expect(try BrokerEnvironment.forceClose(connectionNamed: configuration.connectionName) == 1)
        try await eventually(within: .seconds(30), "the connection is re-opened") { try await connection.recoveryCount() >= 1 }
        await connection.close()

        let lines = logs.all
        #expect(lines.contains { $0.message.contains("reconnect") })
        let unprefixed = lines.flatMap { line in line.metadata.keys.filter { !$0.hasPrefix("amqp.") }.map { "\($0) in '\(line.message)'" } }
        #expect(unprefixed.isEmpty, "\(unprefixed)")
    }
}
