import ArgumentParser
import Foundation
import ServiceLifecycle
import TributaryCommandLine
import TributaryCore
import TributaryObservability
import TributaryServices
import TributaryStore
import UnixSignals

/// The `orchestrator` executable.
public struct OrchestratorCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "orchestrator",
        abstract: "Drives experiments: consumes requests and task results, fans batches out and back in.",
        discussion: """
            All state lives in the SQLite database; restarting (even after SIGKILL) resumes every \
            experiment where it was. Stops on SIGTERM or SIGINT after the current batch, once its \
            outbox is confirmed.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var documentStore: DocumentStoreOptions

    @Option(help: "SQLite database file holding experiment state and the outbox.")
    var database = "tributary-orchestrator.sqlite"

    @Option(help: "full: fsync every commit (survives power loss); normal: survives process crashes only.")
    var durability: SQLiteExperimentStore.Durability = .full

    @Option(help: "Consumer prefetch; also the largest group commit.")
    var prefetch: UInt16 = 256

    @Option(help: "Batch results above this many bytes go to the document store, not into the synthesis task.")
    var inlineSynthesisLimit = Orchestrator.defaultInlineSynthesisLimit

    public func run() async throws {
        let logger = connection.logger("tributary.orchestrator")
        var configuration = OrchestratorConfiguration(amqp: try connection.amqpConfiguration(connectionName: "orchestrator"))
        configuration.topology = connection.topology
        configuration.databasePath = database
        configuration.durability = durability
        configuration.prefetch = prefetch
        configuration.documentStore = try documentStore.store()
        configuration.inlineSynthesisLimit = inlineSynthesisLimit
        var observing = ObservabilityConfiguration(
            serviceName: "orchestrator", httpPort: http.resolvedPort, environment: ProcessInfo.processInfo.environment)
        observing.httpHost = http.httpHost
        let observability = try Observability.bootstrap(observing, logger: logger)
        let service = OrchestratorService(configuration: configuration, logger: logger, readiness: observability.readiness)
        let group = ServiceGroup(
            services: observability.services + [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}

extension SQLiteExperimentStore.Durability: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
