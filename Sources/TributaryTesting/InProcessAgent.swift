import AMQP
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TributaryClient
import TributaryCore
import TributaryObservability
import TributaryServices

/// An agent running a handler of the test's own inside the test process, on the same
/// runtime as the agent executables (``AgentService``): the same consume, confirm, ack and
/// dead-letter paths, and the same readiness checks behind `/readyz`.
public final class InProcessAgent: Sendable {
    public let name: String
    let logPath: String
    private let readiness: Readiness
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    init(name: String, service: some Service, readiness: Readiness, logger: Logger, logPath: String) {
        self.name = name
        self.readiness = readiness
        self.logPath = logPath
        let group = ServiceGroup(services: [service], logger: logger)
        self.group = group
        running = Task { try await group.run() }
    }

    /// Connected, its queues declared and its consumers up.
    public var isReady: Bool { readiness.evaluate().isReady }

    /// What is not ready yet, if anything.
    public var notReadyReason: String? { readiness.evaluate().reason }

    /// A graceful stop, as SIGTERM would be: no new tasks, the ones in flight finish.
    public func stop(within limit: Duration = .seconds(20)) async throws {
        await group.triggerGracefulShutdown()
        let running = running
        try await withDeadline(limit, "\(name) to stop") { try await running.value }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

extension TestPipeline {
    /// Runs `handler` as an agent in this process, in this pipeline's namespace: for example
    /// an `analyse_batch` handler in place of the built-in analyser. It consumes `queues`, or
    /// its task type's default queue. Its log is kept with the services' (``logs``).
    @discardableResult
    public func runAgent<Handler: TaskHandler>(_ handler: Handler, name: String? = nil, queues: [String]? = nil, concurrency: Int = 2) throws
        -> InProcessAgent
    {
        let name = name ?? "\(handler.taskType.rawValue)-in-process-\(inProcessAgents.count)"
        var broker = serviceBrokerURL ?? brokerURL
        if configuration.brokerProxies {
            let proxy = try BrokerProxy(brokerURL: broker, logDirectory: directory, name: "\(name)-proxy")
            proxies[name] = proxy
            broker = proxy.url
        }
        var amqp = try AMQPConfiguration(url: broker)
        amqp.connectionName = "\(topology.namespace)-\(name)"
        var agent = AgentConfiguration(amqp: amqp, workerID: name)
        agent.topology = topology
        agent.concurrency = concurrency
        agent.queues = queues
        let logPath = "\(directory)/\(name).log"
        let logger = Logger(label: "tributary.\(name)") { label in FileLogHandler(label: label, path: logPath) }
        let readiness = Readiness()
        let service = AgentService(configuration: agent, handler: handler, logger: logger, readiness: readiness)
        let running = InProcessAgent(name: name, service: service, readiness: readiness, logger: logger, logPath: logPath)
        inProcessAgents.append(running)
        return running
    }
}

/// Log lines of an in-process agent, in a file beside the services' logs.
struct FileLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    private let file: FileSink

    init(label: String, path: String) {
        file = FileSink(path: path)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        file.write("\(Date()) \(event.level) \(event.message)\(fields.isEmpty ? "" : " \(fields)")\n")
    }
}

/// One appending file, shared by every copy of a handler.
final class FileSink: Sendable {
    private let handle: Mutex<FileHandle?>

    init(path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        self.handle = Mutex(handle)
    }

    func write(_ line: String) { handle.withLock { $0?.write(Data(line.utf8)) } }
}
