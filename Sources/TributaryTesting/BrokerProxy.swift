import AMQP
import Foundation
import Synchronization

/// A TCP proxy in front of the broker (socat) that a test can cut and restore: to the
/// services behind it, the broker has stopped, then come back, while the tests' own
/// connection and the other suites sharing the broker are untouched.
public final class BrokerProxy: Sendable {
    public let port: Int
    /// The broker URI with the proxy's address in it.
    public let url: String
    private let target: String
    private let logDirectory: String
    private let name: String
    private let process = Mutex<ServiceProcess?>(nil)

    public init(brokerURL: String, logDirectory: String, name: String = "broker-proxy") throws {
        self.name = name
        let configuration = try AMQPConfiguration(url: brokerURL)
        let address = "\(configuration.host):\(configuration.port)"
        guard brokerURL.contains(address) else { throw TestPipelineError("broker URI \(brokerURL) must name its host and port for the proxy") }
        port = try freePort()
        url = brokerURL.replacingOccurrences(of: address, with: "127.0.0.1:\(port)")
        target = address
        self.logDirectory = logDirectory
        try start()
    }

    /// Starts accepting connections again (the broker "returns").
    public func start() throws {
        guard let socat = ["/usr/bin/socat", "/bin/socat"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestPipelineError("socat not found; install it (Deploy/local/install-dependencies.sh)")
        }
        let started = try ServiceProcess(
            executable: socat, arguments: [listenAddress, "TCP:\(target)"], name: name, logDirectory: logDirectory)
        process.withLock { $0 = started }
    }

    /// socat forks a child per connection, each with this same command line: matching on it
    /// reaches the listener and every open connection at once.
    private var listenAddress: String { "TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork" }

    /// Drops every proxied connection and refuses new ones (the broker "stops").
    public func cut() async throws {
        guard let running = process.withLock({ $0.take() }) else { return }
        let pkill = Process()
        pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        pkill.arguments = ["-KILL", "-f", listenAddress]
        try pkill.run()
        pkill.waitUntilExit()
        _ = try await running.waitForExit(within: .seconds(10))
    }
}
