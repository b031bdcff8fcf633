import ArgumentParser
import Foundation
import ServiceLifecycle
import TributaryCommandLine
import TributaryCore
import TributaryExperimentFiles
import TributaryObservability
import TributaryServices
import TributaryStore
import TributaryStores
import UnixSignals

/// The `orchestrator` executable.
public struct OrchestratorCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "orchestrator",
        abstract: "Drives experiments: consumes requests and task results, fans batches out and back in.",
        discussion: """
            All state lives in the database: a SQLite file for one orchestrator, or PostgreSQL for \
            several, all active on the same queues. Restarting (even after SIGKILL) resumes every \
            experiment where it was. Stops on SIGTERM or SIGINT after the current batch, once its \
            outbox is confirmed.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var http: HTTPOptions
    @OptionGroup var documentStore: DocumentStoreOptions

    // No computed default: --help would print it, and with it the password in TRIBUTARY_DATABASE_URL.
    @Option(
        help: """
            Where experiment state and the outbox live: a SQLite file (one orchestrator), or \
            postgres://user:password@host:port/database[?sslmode=disable|prefer|require|verify-full] \
            (several orchestrators). Prefer $TRIBUTARY_DATABASE_URL for a URL with a password: \
            options show in the process list. Default: $TRIBUTARY_DATABASE_URL, else tributary-orchestrator.sqlite.
            """)
    var database: String?

    /// The database in force: the option, else `TRIBUTARY_DATABASE_URL`, else the SQLite default.
    var resolvedDatabase: String {
        database ?? ProcessInfo.processInfo.environment["TRIBUTARY_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "tributary-orchestrator.sqlite"
    }

    @Option(help: "SQLite only. full: fsync every commit (survives power loss); normal: survives process crashes only.")
    var durability: ExperimentStoreOptions.Durability = .full

    @Option(
        help: """
            PostgreSQL only: seconds this orchestrator's unconfirmed outbox stays its own after its last \
            heartbeat; then another orchestrator publishes it.
            """)
    var outboxLease = 10

    @Option(help: "Consumer prefetch; also the largest group commit.")
    var prefetch: UInt16 = 256

    @Option(help: "Outbox messages published and not yet confirmed by the broker, at most.")
    var publishWindow = 1_000

    @Option(help: "Batch results above this many bytes go to the document store, not into the synthesis task.")
    var inlineSynthesisLimit = Orchestrator.defaultInlineSynthesisLimit

    @Option(
        help: """
            The model table (YAML): per model name, requests_per_minute, tokens_per_minute, input_price_per_million \
            and output_price_per_million. Dispatch to each model is held under its limits, across every experiment. \
            Default: $TRIBUTARY_MODELS_FILE, else none (nothing metered or priced).
            """)
    var models: String?

    @Option(
        help: """
            The version of the program the analyse agents run with --analyser-command. Experiments with an external \
            analyser are cached under it; without it their results are never cached. Change it whenever the program \
            can score a document differently.
            """)
    var analyserVersion: String?

    /// The model table in force: the option's file, else `TRIBUTARY_MODELS_FILE`'s, else empty.
    func modelTable() throws -> ModelTable {
        do {
            return try ModelTableFile.configured(models)
        } catch {
            throw ValidationError("--models: \(error)")
        }
    }

    public func validate() throws {
        guard outboxLease >= 1 else { throw ValidationError("--outbox-lease must be at least 1 second") }
        guard publishWindow >= 1 else { throw ValidationError("--publish-window must be at least 1") }
        _ = try modelTable()
        if let analyserVersion, analyserVersion.isEmpty || analyserVersion.utf8.count > 255 {
            throw ValidationError("--analyser-version must be 1 to 255 bytes")
        }
    }

    public func run() async throws {
        let logger = connection.logger("tributary.orchestrator")
        var configuration = OrchestratorConfiguration(amqp: try connection.amqpConfiguration(connectionName: "orchestrator"), stores: ExperimentStores())
        configuration.topology = connection.topology
        configuration.database = resolvedDatabase
        configuration.storeOptions.outboxLease = .seconds(outboxLease)
        configuration.storeOptions.durability = durability
        configuration.prefetch = prefetch
        configuration.publishWindow = publishWindow
        configuration.documentStore = try documentStore.store()
        configuration.inlineSynthesisLimit = inlineSynthesisLimit
        configuration.models = try modelTable()
        configuration.externalAnalyserVersion = analyserVersion
        var observing = ObservabilityConfiguration(
            serviceName: "orchestrator", httpPort: http.resolvedPort, environment: ProcessInfo.processInfo.environment)
        observing.httpHost = http.httpHost
        observing.metricsTokenDigest = http.resolvedMetricsToken
        let observability = try Observability.bootstrap(observing, logger: logger)
        let service = OrchestratorService(configuration: configuration, logger: logger, readiness: observability.readiness)
        let group = ServiceGroup(
            services: observability.services + [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}

extension ExperimentStoreOptions.Durability: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
