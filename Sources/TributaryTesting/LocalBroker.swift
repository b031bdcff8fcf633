import Foundation
import Synchronization

/// The RabbitMQ a test pipeline runs on: the one `TRIBUTARY_TEST_AMQP_URL` names, else one
/// already answering on 127.0.0.1:5672, else one the project's script installs and starts.
public enum LocalBroker {
    /// The environment variable that names a broker, as an AMQP URI.
    public static let environmentVariable = "TRIBUTARY_TEST_AMQP_URL"
    /// A broker on loopback with RabbitMQ's default account, as `Deploy/local/start-broker.sh` starts it.
    public static let defaultURL = "amqp://guest:guest@127.0.0.1:5672/%2F"
    /// Runs in place of the project's script, when set: a program that starts a broker at ``defaultURL``.
    public static let scriptVariable = "TRIBUTARY_BROKER_SCRIPT"

    /// The URI `TRIBUTARY_TEST_AMQP_URL` names, if it is set and not empty.
    public static var configuredURL: String? {
        ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether a broker is configured or answers on the default port right now: for a suite's
    /// condition (`.enabled(if: LocalBroker.isAvailable)`) on machines that should skip.
    public static var isAvailable: Bool { configuredURL != nil || answers(port: 5672) }

    /// The broker to use, starting one if there is none: the configured one, else one on
    /// 127.0.0.1:5672, else the script's (``scriptVariable``, or `Deploy/local/start-broker.sh`
    /// of the Tributary checkout this kit was built from). The script runs at most once per
    /// process, and as root it installs RabbitMQ first if it must.
    public static func url(startingWithin limit: Duration = .seconds(600)) async throws -> String {
        if let configuredURL { return configuredURL }
        if answers(port: 5672) { return defaultURL }
        let start = starting.withLock { task in
            if let task { return task }
            let made = Task { try await runScript(within: limit) }
            task = made
            return made
        }
        try await start.value
        return defaultURL
    }

    private static let starting = Mutex<Task<Void, any Error>?>(nil)

    static var scriptPath: String {
        if let script = ProcessInfo.processInfo.environment[scriptVariable], !script.isEmpty { return script }
        // Sources/TributaryTesting/LocalBroker.swift → the checkout's root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("Deploy/local/start-broker.sh").path
    }

    private static func runScript(within limit: Duration) async throws {
        let script = scriptPath
        guard FileManager.default.isExecutableFile(atPath: script) else {
            throw TestPipelineError(
                "no broker: \(environmentVariable) is not set, nothing answers on 127.0.0.1:5672, and \(script) is not an executable script")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-broker-start").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let process = try ServiceProcess(executable: script, arguments: [], name: "start-broker-\(getpid())", logDirectory: directory)
        let status = try await process.waitForExit(within: limit)
        guard status == 0 else { throw TestPipelineError("\(script) exited with status \(status):\n\(process.log.suffix(2000))") }
    }

    /// Whether something accepts TCP connections on 127.0.0.1 at `port`.
    static func answers(port: Int) -> Bool { onLoopback(port) { connect($0, $1, $2) == 0 } }
}

/// What went wrong in setting up or running a test pipeline, in words a failing test can show.
public struct TestPipelineError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
