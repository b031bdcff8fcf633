import ArgumentParser
import Logging
import ServiceLifecycle
import TributaryCore
import TributaryServices

/// What the three agent executables share: options, wiring and graceful shutdown.
public struct AgentOptions: ParsableArguments {
    @OptionGroup public var connection: ConnectionOptions

    @Option(help: "Tasks handled at once (also the consumer prefetch).")
    public var concurrency: Int = 4

    @Option(help: "Worker id reported in results (default: host-pid).")
    public var workerID: String?

    public init() {}

    public func validate() throws {
        guard (1...65_535).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 65535") }
    }

    /// Runs the agent until SIGTERM or SIGINT, then finishes in-flight tasks and returns.
    public func run(_ handler: any TaskHandler) async throws {
        let logger = connection.logger("tributary.\(handler.taskType.rawValue)")
        var configuration = AgentConfiguration(amqp: try connection.amqpConfiguration(connectionName: "agent-\(handler.taskType.rawValue)"))
        if let workerID { configuration.workerID = workerID }
        configuration.topology = connection.topology
        configuration.concurrency = concurrency
        let service = AgentService(configuration: configuration, handler: handler, logger: logger)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}
