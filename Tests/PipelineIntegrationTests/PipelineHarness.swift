import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport

/// A whole pipeline of real executables on the local broker, in a namespace of its own, so
/// tests can run side by side and leave nothing behind.
final class PipelineHarness: @unchecked Sendable {
    /// Where `swift build` put the executables: `TRIBUTARY_BIN_DIR`, else next to the test binary.
    static let binDirectory: String = {
        if let directory = ProcessInfo.processInfo.environment["TRIBUTARY_BIN_DIR"] { return directory }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: url.appendingPathComponent("orchestrator").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }()

    let brokerURL: String
    let topology: Topology
    /// Added to every service's command line (for example a log format).
    var serviceArguments: [String] = []
    /// Added to the orchestrator's command line.
    var orchestratorArguments: [String] = []
    /// The broker the services use, when not the tests' own (a proxy that can be cut).
    var serviceBrokerURL: String?
    /// Give every service an HTTP endpoint on a port of its own (``ServiceProcess/httpPort``).
    var servesHTTP = false
    /// Set in every service's environment, over the test process's own.
    var serviceEnvironment: [String: String] = [:]
    let directory: String
    let databasePath: String
    /// A PostgreSQL database for the orchestrators instead of ``databasePath``: any number of
    /// them may run. Given through `TRIBUTARY_DATABASE_URL`, as a deployment with a password should.
    var databaseURL: String?
    private(set) var processes: [ServiceProcess] = []
    private(set) var orchestrator: ServiceProcess?
    /// Every orchestrator started, the latest last.
    private(set) var orchestrators: [ServiceProcess] = []
    let connection: AMQPConnection
    let client: TributaryClient

    /// `brokerURL`: a broker other than the tests' shared one (``TestBroker``).
    init(_ name: String = #function, brokerURL: String? = nil) async throws {
        self.brokerURL = try brokerURL ?? TestBroker.requireURL()
        let namespace = "test-\(name.prefix { $0 != "(" })-\(UInt32.random(in: 0...UInt32.max))"
        topology = Topology(namespace: namespace)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(namespace).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        databasePath = "\(directory)/orchestrator.sqlite"
        var configuration = try AMQPConfiguration(url: self.brokerURL)
        configuration.connectionName = "\(namespace)-client"
        connection = try await AMQPConnection.connect(configuration)
        var client = TributaryClient(connection: connection, topology: topology)
        client.statusPollInterval = .seconds(2)
        self.client = client
        try await client.prepare()
    }

    private func launch(_ executable: String, name: String, _ extra: [String] = [], environment extraEnvironment: [String: String] = [:]) throws
        -> ServiceProcess
    {
        let path = "\(Self.binDirectory)/\(executable)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("\(path) not found; build first (swift build) or set TRIBUTARY_BIN_DIR")
        }
        let httpPort = servesHTTP ? try freePort() : nil
        let http = httpPort.map { ["--http-port", "\($0)", "--http-host", "127.0.0.1"] } ?? []
        let process = try ServiceProcess(
            executable: path,
            arguments: ["--amqp-url", serviceBrokerURL ?? brokerURL, "--namespace", topology.namespace, "--log-level", "info"] + serviceArguments + http
                + extra,
            name: name, logDirectory: directory, httpPort: httpPort,
            environment: serviceEnvironment.isEmpty && extraEnvironment.isEmpty
                ? nil : ProcessInfo.processInfo.environment.merging(serviceEnvironment) { $1 }.merging(extraEnvironment) { $1 })
        processes.append(process)
        return process
    }

    @discardableResult
    func startOrchestrator() throws -> ServiceProcess {
        let process: ServiceProcess
        if let databaseURL {
            // A short lease: a killed orchestrator's outbox is adopted within two seconds.
            process = try launch(
                "orchestrator", name: "orchestrator-\(processes.count)", ["--outbox-lease", "2"] + orchestratorArguments,
                environment: ["TRIBUTARY_DATABASE_URL": databaseURL])
        } else {
            process = try launch(
                "orchestrator", name: "orchestrator-\(processes.count)", ["--database", databasePath, "--durability", "normal"] + orchestratorArguments)
        }
        orchestrator = process
        orchestrators.append(process)
        return process
    }

    /// Runs one of the service executables with just `arguments` (e.g. `--help`).
    func runService(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: "\(Self.binDirectory)/\(executable)", arguments: arguments, name: "\(executable)-\(processes.count)", logDirectory: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        processes.append(process)
        return process
    }

    /// Puts a valid experiment request for `id` in the dead-letter queue, as if it had been
    /// refused (`reason`) on its way to the requests queue; returns once the broker has it.
    func deadLetterRequest(_ id: String, reason: String = "malformed: refused while misconfigured") async throws {
        var properties = AMQPProperties(
            contentType: "application/json",
            headers: ["x-tributary-rejection-reason": .string(reason), "x-tributary-source-queue": .string(topology.requestsQueue)],
            deliveryMode: .persistent, correlationID: id, messageID: id, type: MessageType.experimentRequest.rawValue)
        properties.appID = "test"
        try await connection.publish(
            try MessageCoding.encode(
                ExperimentRequest(experimentID: id, submittedAt: Date(), experiment: Corpus.spec(name: "again", documents: 2, batchSize: 1))),
            exchange: topology.deadLetterExchange, routingKey: "", properties: properties)
        let client = client
        try await eventually(within: .seconds(10), "the dead letter \(id) to arrive") { try await client.deadLetters().contains { $0.messageID == id } }
    }

    /// Runs a program by its path (a test tool, not one of ours), stopped with the pipeline.
    func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: path, arguments: arguments, name: "\(URL(fileURLWithPath: path).lastPathComponent)-\(processes.count)", logDirectory: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        processes.append(process)
        return process
    }

    /// Runs the `tributary` command against this pipeline.
    func runClient(_ arguments: [String]) throws -> ServiceProcess {
        let path = "\(Self.binDirectory)/tributary"
        // Options go last: after any subcommand path (`dead-letters list`) and its arguments.
        let process = try ServiceProcess(
            executable: path,
            arguments: arguments + ["--amqp-url", brokerURL, "--namespace", topology.namespace],
            name: "tributary-\(processes.count)", logDirectory: directory)
        processes.append(process)
        return process
    }

    /// Starts the orchestrator (unless `startingOrchestrator` is false) and one pre-test,
    /// `analysers` analysis and one synthesis agent.
    func startPipeline(analysers: Int = 2, analyserConcurrency: Int = 2, analyserArguments: [String] = [], startingOrchestrator: Bool = true) throws {
        if startingOrchestrator { try startOrchestrator() }
        // The pre-test runs a language-model experiment's pilot, so it is given the same endpoint.
        _ = try launch("pre-test-agent", name: "pre-test-agent", Self.languageModelOptions(in: analyserArguments))
        for index in 0..<analysers {
            try startAnalyser(index, concurrency: analyserConcurrency, arguments: analyserArguments)
        }
        _ = try launch("corpus-synthesis-agent", name: "corpus-synthesis-agent")
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

    @discardableResult
    func startAnalyser(_ index: Int, concurrency: Int = 2, environment: [String: String] = [:], arguments: [String] = []) throws -> ServiceProcess {
        try launch(
            "analyse-batch-agent", name: "analyse-batch-agent-\(index)-\(processes.count)",
            ["--concurrency", "\(concurrency)", "--worker-id", "analyser-\(index)"] + arguments, environment: environment)
    }

    /// Waits until every service has logged that it is ready (consumers up).
    func waitUntilReady(within limit: Duration = .seconds(60)) async throws {
        let services = processes
        try await eventually(within: limit, "every service ready") { services.allSatisfy { $0.log.contains("ready") } }
    }

    /// Writes an executable shell script into this pipeline's folder and returns its path.
    func script(_ name: String, _ body: String) throws -> String {
        let path = "\(directory)/\(name)"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// Stops every running process with SIGTERM and returns their exit statuses by name.
    func stopAll() async throws -> [String: Int32] {
        var statuses: [String: Int32] = [:]
        for process in processes where process.isRunning {
            statuses[process.name] = try await process.terminate()
        }
        return statuses
    }

    /// Stops what still runs, removes the namespace's queues and exchanges, and closes the connection.
    func tearDown() async {
        for process in processes where process.isRunning { _ = try? await process.crash() }
        try? await topology.delete(on: connection)
        await connection.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The logs of every process, for a failure message.
    var logs: String {
        processes.map { "---- \($0.name)\n\($0.log.suffix(3000))" }.joined(separator: "\n")
    }
}

/// Runs `body` against a fresh pipeline; any error fails the test with every process's log,
/// and the pipeline is torn down whatever happens.
func withPipeline(_ name: String = #function, brokerURL: String? = nil, _ body: (PipelineHarness) async throws -> Void) async throws {
    let harness = try await PipelineHarness(name, brokerURL: brokerURL)
    do {
        try await body(harness)
    } catch {
        Issue.record("\(error)\n\(harness.logs)")
    }
    await harness.tearDown()
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Corpus {
    static let framework = Framework(
        name: "affect", version: "1",
        dimensions: [Dimension(name: "hope", raises: ["hope"]), Dimension(name: "fear", raises: ["fear"])])

    /// `documents` documents of `wordsEach` words each, so the expected totals are known exactly.
    static func spec(name: String, documents: Int, batchSize: Int, wordsEach: Int = 5) -> ExperimentSpec {
        ExperimentSpec(
            name: name, framework: framework,
            documents: (0..<documents).map { index in
                Document(
                    id: "\(name)-\(index)", text: Array(repeating: index % 2 == 0 ? "hope" : "fear", count: wordsEach).joined(separator: " "),
                    metadata: ["group": index % 2 == 0 ? "a" : "b"])
            },
            batchSize: batchSize)
    }
}

extension JSONValue {
    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

/// The scores table has exactly one row per document: nothing was counted twice or lost.
func expectEveryDocumentOnce(_ outcome: ExperimentStatus, documents: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard case .string(let csv)? = outcome.report?["scores_csv"] else {
        Issue.record("no scores_csv in the result", sourceLocation: sourceLocation)
        return
    }
    let ids = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }
    #expect(ids.count == documents, sourceLocation: sourceLocation)
    #expect(Set(ids).count == documents, "a document appears twice", sourceLocation: sourceLocation)
}
