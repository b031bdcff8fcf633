import Foundation
import Synchronization
import TributaryCore

/// One of the real executables running as a separate OS process, its output in a log file.
///
/// It remembers how it was started, so a test can start it again on the same state
/// (``relaunched()``): the same database, worker id and arguments, as a supervisor would.
public final class ServiceProcess: Sendable {
    public let name: String
    public let logPath: String
    /// Where its `/metrics`, `/healthz` and `/readyz` are served, if it was given a port.
    public let httpPort: Int?
    public let executable: String
    public let arguments: [String]
    let environment: [String: String]?
    private let process: Process
    private let exit = ExitState()

    public init(
        executable: String, arguments: [String], name: String, logDirectory: String, httpPort: Int? = nil, environment: [String: String]? = nil
    ) throws {
        self.name = name
        self.httpPort = httpPort
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = "\(logDirectory)/\(name).log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        // A relaunch appends: the log keeps both lives of the service, in order.
        log.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = log
        process.standardError = log
        let exit = self.exit
        process.terminationHandler = { process in
            let waiters = exit.state.withLock { state in
                state.status = process.terminationStatus
                defer { state.waiters.removeAll() }
                return Array(state.waiters.values)
            }
            for waiter in waiters { waiter.resume(returning: process.terminationStatus) }
        }
        try process.run()
    }

    /// The same program with the same arguments and environment, logging to the same file.
    /// Call it once this one has exited.
    public func relaunched() throws -> ServiceProcess {
        try ServiceProcess(
            executable: executable, arguments: arguments, name: name, logDirectory: URL(fileURLWithPath: logPath).deletingLastPathComponent().path,
            httpPort: httpPort, environment: environment)
    }

    /// Sends SIGTERM (a graceful stop, as `docker stop` or Kubernetes sends) and returns the
    /// exit status, failing if the process does not stop in time.
    @discardableResult
    public func terminate(within limit: Duration = .seconds(20)) async throws -> Int32 {
        markStopping()
        kill(process.processIdentifier, SIGTERM)
        return try await waitForExit(within: limit)
    }

    /// SIGKILL: no chance to clean up, as in a crash or an OOM kill.
    public func crash() async throws {
        markStopping()
        kill(process.processIdentifier, SIGKILL)
        _ = try await waitForExit(within: .seconds(10))
    }

    /// SIGSTOP: the process keeps its connections but does nothing, not even heartbeats,
    /// as a hung or swapped-out service would. ``resume()`` continues it.
    public func pause() { kill(process.processIdentifier, SIGSTOP) }

    public func resume() { kill(process.processIdentifier, SIGCONT) }

    public func waitForExit(within limit: Duration) async throws -> Int32 {
        try await withDeadline(limit, "\(name) to exit") { try await self.exitStatus() }
    }

    /// The exit status, once the process has exited. Cancellable: a deadline around it must be
    /// able to end the wait even if the process never exits.
    private func exitStatus() async throws -> Int32 {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let status: Int32? = self.exit.state.withLock { state in
                    if state.status == nil, !Task.isCancelled { state.waiters[id] = continuation }
                    return state.status
                }
                if let status {
                    continuation.resume(returning: status)
                } else if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            self.exit.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    private func markStopping() { exit.state.withLock { $0.stopping = true } }

    public var processIdentifier: Int32 { process.processIdentifier }

    public var isRunning: Bool { exit.state.withLock { $0.status == nil } }

    /// The exit status if it has exited.
    public var exitStatusIfExited: Int32? { exit.state.withLock { $0.status } }

    /// Whether the test stopped it (``terminate(within:)``, ``crash()``): a readiness wait
    /// does not expect it back.
    public var wasStopped: Bool { exit.state.withLock { $0.stopping } }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// The exit status once known, and who is waiting for it.
private final class ExitState: Sendable {
    struct State {
        var status: Int32?
        var stopping = false
        var waiters: [UUID: CheckedContinuation<Int32, any Error>] = [:]
    }
    let state = Mutex(State())
}
