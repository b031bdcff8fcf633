import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TributaryAnalysis
import TributaryClient
import TributaryCommandLine
import TributaryCore
import TributaryObservability
import TributaryServices
import UnixSignals

/// What the three agent executables share: options, wiring and graceful shutdown.
public struct AgentOptions: ParsableArguments {
    @OptionGroup public var connection: ConnectionOptions
    @OptionGroup public var http: HTTPOptions
    @OptionGroup public var documentStore: DocumentStoreOptions

    @Option(help: "Tasks handled at once (also the consumer prefetch).")
    public var concurrency: Int = 4

    @Option(help: "Worker id reported in results (default: host-pid).")
    public var workerID: String?

    @Option(help: "Run this program instead of the built-in handler: task JSON on stdin, result JSON on stdout (see Docs/analysers.md).")
    public var analyserCommand: String?

    @Option(parsing: .singleValue, help: "An argument for --analyser-command (repeatable).")
    public var analyserArgument: [String] = []

    @Option(help: "Seconds the --analyser-command may run per task before it is killed and the task fails.")
    public var analyserTimeout: Int = 300

    @OptionGroup public var languageModel: LanguageModelOptions

    public init() {}

    public func validate() throws {
        try languageModel.validate()
        guard (1...65_535).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 65535") }
        guard analyserTimeout > 0 else { throw ValidationError("--analyser-timeout must be positive") }
        if let analyserCommand, !FileManager.default.isExecutableFile(atPath: analyserCommand) {
            throw ValidationError("--analyser-command: '\(analyserCommand)' is not an executable file")
        }
    }

    /// Reads and writes the content store given by `--document-store` (none without it).
    public func contentResolver() throws -> ContentResolver { ContentResolver(store: try documentStore.store()) }

    /// Runs the agent until SIGTERM or SIGINT, then finishes in-flight tasks and returns.
    /// With `--analyser-command`, that program replaces `builtIn`.
    public func run(_ builtIn: some TaskHandler) async throws {
        if let analyserCommand {
            let external = ExternalCommandHandler(
                taskType: builtIn.taskType, executable: analyserCommand, arguments: analyserArgument, timeout: .seconds(analyserTimeout))
            // The program gets texts and results, not content-store addresses.
            try await run(handler: ResolvingHandler(external, content: contentResolver()))
        } else {
            try await run(handler: builtIn)
        }
    }

    /// Runs the analyse agent: its default analyser on the default lane, and a lane for every
    /// kind it serves (the built-in one always, `external` with `--analyser-command`, `llm`
    /// with `--llm-base-url`).
    public func runAnalyser() async throws {
        let content = try contentResolver()
        let external = analyserCommand.map {
            ResolvingHandler(
                ExternalCommandHandler(taskType: .analyseBatch, executable: $0, arguments: analyserArgument, timeout: .seconds(analyserTimeout)),
                content: content)
        }
        let router = AnalyseBatchRouter(
            builtin: AnalyseBatchHandler(content: content), external: external, languageModel: try languageModel.batchHandler(content: content))
        let topology = connection.topology
        try await run(handler: router, queues: [topology.taskQueue(.analyseBatch)] + router.kinds.map(topology.analysisQueue))
    }

    private func run(handler: some TaskHandler, queues: [String]? = nil) async throws {
        let logger = connection.logger("tributary.\(handler.taskType.rawValue)")
        var configuration = AgentConfiguration(amqp: try connection.amqpConfiguration(connectionName: "agent-\(handler.taskType.rawValue)"))
        configuration.queues = queues
        if let workerID { configuration.workerID = workerID }
        configuration.topology = connection.topology
        configuration.concurrency = concurrency
        var observing = ObservabilityConfiguration(
            serviceName: handler.taskType.rawValue.replacingOccurrences(of: "_", with: "-") + "-agent", httpPort: http.resolvedPort,
            environment: ProcessInfo.processInfo.environment)
        observing.httpHost = http.httpHost
        observing.metricsTokenDigest = http.resolvedMetricsToken
        let observability = try Observability.bootstrap(observing, logger: logger)
        let service = AgentService(configuration: configuration, handler: handler, logger: logger, readiness: observability.readiness)
        let group = ServiceGroup(
            services: observability.services + [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}
