import Foundation
import Synchronization
import TributaryTestSupport

/// One of the real executables running as a separate OS process, its output in a log file.
final class ServiceProcess: Sendable {
    let name: String
    let logPath: String
    /// Where its `/metrics`, `/healthz` and `/readyz` are served, if it was given a port.
    let httpPort: Int?
    private let process: Process
    private let exit = ExitState()

    init(
        executable: String, arguments: [String], name: String, logDirectory: String, httpPort: Int? = nil, environment: [String: String]? = nil
    ) throws {
        self.name = name
        self.httpPort = httpPort
        self.logPath = "\(logDirectory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
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

    /// Sends SIGTERM and returns the exit status, failing if the process does not stop in time.
    func terminate(within limit: Duration = .seconds(20)) async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await waitForExit(within: limit)
    }

    /// SIGKILL: no chance to clean up, as in a crash or an OOM kill.
    func crash() async throws {
        kill(process.processIdentifier, SIGKILL)
        _ = try await waitForExit(within: .seconds(10))
    }

    func waitForExit(within limit: Duration) async throws -> Int32 {
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

    var processIdentifier: Int32 { process.processIdentifier }

    var isRunning: Bool { exit.state.withLock { $0.status == nil } }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// The exit status once known, and who is waiting for it.
private final class ExitState: Sendable {
    let state = Mutex<(status: Int32?, waiters: [UUID: CheckedContinuation<Int32, any Error>])>((nil, [:]))
}
