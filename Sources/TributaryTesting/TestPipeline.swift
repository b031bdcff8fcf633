import AMQP
import Foundation
import Synchronization
import TributaryClient
import TributaryCore

/// A whole Tributary pipeline inside a test: the real executables (or a handler of the
/// test's own, in process) on a local broker, in a namespace no other test shares, and the
/// production ``TributaryClient`` to drive it.
///
/// The kit waits only as production does: a test submits with ``client`` and waits with the
/// client's own `outcome(within:)`, `status` or events. Start-up waits for each service's
/// `/readyz`, as an orchestrator of containers would. Every wait has a deadline and fails
/// loudly. ``withTestPipeline(_:configuration:_:)`` removes the namespace, the processes and
/// the temporary folder afterwards, whether the test passed or not.
public final class TestPipeline: @unchecked Sendable {
    public var configuration: Configuration
    public let brokerURL: String
    public let topology: Topology
    /// This pipeline's temporary folder: the services' logs, the SQLite store, scripts.
    public let directory: String
    /// The SQLite file the orchestrators use when ``Configuration/store`` is `.sqlite`.
    public let databasePath: String
    /// The broker every service is given, when not ``brokerURL`` (a proxy of the test's own).
    public var serviceBrokerURL: String?
    /// Every process started, in order.
    public internal(set) var processes: [ServiceProcess] = []
    /// The services whose readiness ``waitUntilReady(within:)`` awaits, by name, in order.
    var services: [ServiceProcess] = []
    /// The latest orchestrator started.
    public internal(set) var orchestrator: ServiceProcess?
    /// Every orchestrator started, the latest last.
    public internal(set) var orchestrators: [ServiceProcess] = []
    /// Agents running inside the test process (``runAgent(_:name:queues:concurrency:)``).
    public internal(set) var inProcessAgents: [InProcessAgent] = []
    var proxies: [String: BrokerProxy] = [:]
    /// The test's own connection; ``client`` uses it.
    public let connection: AMQPConnection
    public let client: TributaryClient

    /// Makes the namespace and connects the client; starts no service (``start()`` does).
    /// `name` goes into the namespace, so a left-over queue names the test that made it.
    public init(_ name: String = #function, configuration: Configuration = Configuration()) async throws {
        self.configuration = configuration
        if let url = configuration.brokerURL { brokerURL = url } else { brokerURL = try await LocalBroker.url() }
        let label = name.prefix { $0 != "(" }.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(80)
        let namespace = "test-\(label)-\(UInt32.random(in: 0...UInt32.max))"
        topology = Topology(namespace: namespace)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(namespace).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        databasePath = "\(directory)/orchestrator.sqlite"
        var amqp = try AMQPConfiguration(url: brokerURL)
        amqp.connectionName = "\(namespace)-client"
        connection = try await AMQPConnection.connect(amqp)
        var client = TributaryClient(connection: connection, topology: topology)
        client.statusPollInterval = .seconds(2)
        self.client = client
        do {
            try await client.prepare()
        } catch {
            await connection.close()
            throw error
        }
    }

    /// The PostgreSQL URI of ``Configuration/store``, if it is PostgreSQL.
    public var databaseURL: String? {
        get {
            if case .postgres(let url) = configuration.store { return url }
            return nil
        }
        set { configuration.store = newValue.map { .postgres(url: $0) } ?? .sqlite }
    }

    public var serviceArguments: [String] {
        get { configuration.serviceArguments }
        set { configuration.serviceArguments = newValue }
    }

    public var orchestratorArguments: [String] {
        get { configuration.orchestratorArguments }
        set { configuration.orchestratorArguments = newValue }
    }

    public var serviceEnvironment: [String: String] {
        get { configuration.serviceEnvironment }
        set { configuration.serviceEnvironment = newValue }
    }

    /// Starts what ``configuration`` describes (an orchestrator, a pre-test agent,
    /// ``Configuration/analysers`` analyse agents and a synthesis agent) and waits until each
    /// answers `/readyz` with 200.
    public func start() async throws {
        try startPipeline()
        try await waitUntilReady(within: configuration.readinessTimeout)
    }

    /// Starts the orchestrator (unless `startingOrchestrator` is false), a pre-test agent,
    /// `analysers` analyse agents and a synthesis agent, without waiting for them: messages
    /// sent meanwhile wait in their durable queues. `analyserArguments` come after those
    /// ``configuration`` gives.
    public func startPipeline(
        analysers: Int? = nil, analyserConcurrency: Int? = nil, analyserArguments: [String] = [], startingOrchestrator: Bool = true
    ) throws {
        if startingOrchestrator { try startOrchestrator() }
        let arguments = configuredAnalyserArguments + analyserArguments
        // The pre-test runs a language-model experiment's pilot, so it is given the same endpoint.
        try startPreTestAgent(arguments: Self.languageModelOptions(in: arguments))
        for index in 0..<(analysers ?? configuration.analysers) {
            try startAnalyser(index, concurrency: analyserConcurrency ?? configuration.analyserConcurrency, arguments: analyserArguments)
        }
        try startSynthesisAgent()
    }

    @discardableResult
    public func startOrchestrator() throws -> ServiceProcess {
        let process: ServiceProcess
        switch configuration.store {
        case .postgres(let url):
            // A short lease: a killed orchestrator's outbox is adopted within two seconds.
            process = try launch(
                "orchestrator", name: "orchestrator-\(processes.count)", ["--outbox-lease", "2"] + configuration.orchestratorArguments,
                environment: ["TRIBUTARY_DATABASE_URL": url])
        case .sqlite:
            process = try launch(
                "orchestrator", name: "orchestrator-\(processes.count)",
                ["--database", databasePath, "--durability", "normal"] + configuration.orchestratorArguments)
        }
        orchestrator = process
        orchestrators.append(process)
        return process
    }

    @discardableResult
    public func startPreTestAgent(arguments: [String] = []) throws -> ServiceProcess {
        try launch("pre-test-agent", name: uniqueName("pre-test-agent"), arguments)
    }

    @discardableResult
    public func startSynthesisAgent(arguments: [String] = []) throws -> ServiceProcess {
        try launch("corpus-synthesis-agent", name: uniqueName("corpus-synthesis-agent"), arguments)
    }

    /// `base` for the first service of a kind, then `base-N`: each has a log of its own.
    func uniqueName(_ base: String) -> String {
        processes.contains { $0.name == base } ? "\(base)-\(processes.count)" : base
    }

    /// An analyse agent executable, with ``configuration``'s analyser options and then `arguments`.
    @discardableResult
    public func startAnalyser(_ index: Int, concurrency: Int? = nil, environment: [String: String] = [:], arguments: [String] = [])
        throws -> ServiceProcess
    {
        try launch(
            "analyse-batch-agent", name: "analyse-batch-agent-\(index)-\(processes.count)",
            ["--concurrency", "\(concurrency ?? configuration.analyserConcurrency)", "--worker-id", "analyser-\(index)"]
                + configuredAnalyserArguments + arguments,
            environment: environment)
    }

    /// The analyse agents' options ``configuration`` implies.
    var configuredAnalyserArguments: [String] {
        var arguments: [String] = []
        if let command = configuration.analyserCommand, let program = command.first {
            arguments += ["--analyser-command", program] + command.dropFirst().flatMap { ["--analyser-argument", $0] }
        }
        if let timeout = configuration.analyserTimeout { arguments += ["--analyser-timeout", "\(timeout)"] }
        if let url = configuration.languageModelURL { arguments += ["--llm-base-url", url] }
        return arguments + configuration.analyserArguments
    }

    /// The `--llm-…` options (each with its value) among an analyser's arguments.
    static func languageModelOptions(in arguments: [String]) -> [String] {
        var options: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            if arguments[index].hasPrefix("--llm-"), index + 1 < arguments.endIndex {
                options += arguments[index...index + 1]
                index += 2
            } else {
                index += 1
            }
        }
        return options
    }

    /// Waits until every service started and not stopped by the test answers `/readyz` with
    /// 200, and every in-process agent is ready. A service that exits meanwhile fails the wait
    /// at once, with its log.
    public func waitUntilReady(within limit: Duration? = nil) async throws {
        let awaited = services.filter { !$0.wasStopped }
        let agents = inProcessAgents
        try await withDeadline(limit ?? configuration.readinessTimeout, "\(awaited.map(\.name) + agents.map(\.name)) to be ready") {
            var waiting = awaited
            while !waiting.isEmpty || agents.contains(where: { !$0.isReady }) {
                if let exited = waiting.first(where: { !$0.isRunning }) {
                    throw TestPipelineError(
                        "\(exited.name) exited with status \(exited.exitStatusIfExited ?? -1) before it was ready:\n\(exited.log.suffix(3000))")
                }
                var notReady: [ServiceProcess] = []
                for service in waiting where await !Self.isReady(service) { notReady.append(service) }
                waiting = notReady
                if !waiting.isEmpty || agents.contains(where: { !$0.isReady }) { try await Task.sleep(for: .milliseconds(100)) }
            }
        }
    }

    static func isReady(_ service: ServiceProcess) async -> Bool {
        guard let port = service.httpPort else { return true }
        return (try? await HTTPProbe.get("http://127.0.0.1:\(port)/readyz", timeout: .seconds(2)))?.status == 200
    }

    /// The logs of every process, for a failure message.
    public var logs: String {
        (processes.map { ($0.name, $0.log) } + inProcessAgents.map { ($0.name, $0.log) })
            .map { "---- \($0.0)\n\($0.1.suffix(3000))" }.joined(separator: "\n")
    }
}

/// Runs `body` against a fresh pipeline (``TestPipeline``), then removes it: its processes,
/// its namespace's queues and exchanges, and its folder, whether `body` returned or threw.
/// An error from `body` is rethrown with every service's log attached.
public func withTestPipeline<T>(
    _ name: String = #function, configuration: TestPipeline.Configuration = TestPipeline.Configuration(),
    _ body: (TestPipeline) async throws -> T
) async throws -> T {
    let pipeline = try await TestPipeline(name, configuration: configuration)
    do {
        let value = try await body(pipeline)
        await pipeline.tearDown()
        return value
    } catch {
        let logs = pipeline.logs
        await pipeline.tearDown()
        throw TestPipelineFailure(error: error, logs: logs)
    }
}

/// A test's error, with the logs of the pipeline it ran against.
public struct TestPipelineFailure: Error, CustomStringConvertible {
    public var error: any Error
    public var logs: String
    public var description: String { "\(error)\n\(logs)" }
}
