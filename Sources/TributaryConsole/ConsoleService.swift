import AMQP
import Foundation
import Logging
import ServiceLifecycle
import TributaryClient
import TributaryCore
import TributaryObservability
import TributaryServices

/// Holds the console's one broker connection for the life of the process: reached with
/// retries (the pages say why they wait), used by every request through the production
/// client, closed on shutdown.
struct ConsoleService: Service {
    let amqp: AMQPConfiguration
    let topology: Topology
    let backend: ConsoleBackend
    let readiness: Readiness
    let logger: Logger

    func run() async throws {
        // Ready only once pages can be answered: a connected broker with the client not yet
        // prepared would still give 503s.
        readiness.mark("client", notReady: "connecting to the broker")
        let connection: AMQPConnection
        do {
            connection = try await BrokerWait.connect(amqp, logger: logger, readiness: readiness)
        } catch is CancellationError {
            return
        }
        ConnectionHealth.register(connection, in: readiness)
        let client = TributaryClient(connection: connection, topology: topology)
        try await client.prepare()
        backend.connected(client)
        readiness.mark("client", notReady: nil)
        logger.info("console ready", metadata: ["tributary.namespace": "\(topology.namespace)"])
        try? await gracefulShutdown()
        backend.connected(nil)
        await connection.close()
    }
}
