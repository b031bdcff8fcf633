import AMQP
import ArgumentParser
import Foundation
import Logging
import TributaryClient

/// Options every Tributary executable takes.
public struct ConnectionOptions: ParsableArguments {
    // No computed default: --help would print it, and with it a password taken from AMQP_URL.
    @Option(
        name: .customLong("amqp-url"), help: "Broker URI (amqp://user:pass@host:port/vhost). Default: $AMQP_URL, else amqp://guest:guest@127.0.0.1:5672/%2F.")
    public var amqpURL: String?

    /// The URI in force: the option, else `AMQP_URL`, else the local default.
    public var resolvedURL: String {
        amqpURL ?? ProcessInfo.processInfo.environment["AMQP_URL"] ?? AMQPConfiguration.localURL
    }

    @Option(help: "Prefix of every exchange and queue; separates deployments sharing a broker.")
    public var namespace: String = "tributary"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: Logger.Level = .info

    // No literal default: the environment's value must win over it (see `resolvedLogFormat`).
    @Option(help: "Log format: text (one readable line per message) or json (one object per line). Default: $TRIBUTARY_LOG_FORMAT, else text.")
    public var logFormat: String?

    /// The format in force: the option, else `TRIBUTARY_LOG_FORMAT`, else text.
    public var resolvedLogFormat: LogFormat {
        (logFormat ?? ProcessInfo.processInfo.environment["TRIBUTARY_LOG_FORMAT"]).flatMap(LogFormat.init(rawValue:)) ?? .text
    }

    public init() {}

    public func validate() throws {
        if let value = logFormat ?? ProcessInfo.processInfo.environment["TRIBUTARY_LOG_FORMAT"], LogFormat(rawValue: value) == nil {
            throw ValidationError("\(logFormat == nil ? "TRIBUTARY_LOG_FORMAT" : "--log-format"): '\(value)' is not a log format (text or json)")
        }
    }

    public func amqpConfiguration(connectionName: String) throws -> AMQPConfiguration {
        do {
            var configuration = try AMQPConfiguration(url: resolvedURL)
            configuration.connectionName = connectionName
            return configuration
        } catch {
            throw ValidationError("--amqp-url: \(error.message)")
        }
    }

    public var topology: Topology { Topology(namespace: namespace) }

    /// Connects, runs `body`, and closes the connection however `body` ends.
    public func withConnection<T>(_ connectionName: String, _ body: (AMQPConnection) async throws -> T) async throws -> T {
        let connection = try await AMQPConnection.connect(amqpConfiguration(connectionName: connectionName), logger: logger("tributary.client"))
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Connects a client (topology declared), runs `body`, and closes the connection.
    public func withClient<T>(_ body: (TributaryClient) async throws -> T) async throws -> T {
        try await withConnection("tributary-cli") { amqp in
            let client = TributaryClient(connection: amqp, topology: topology)
            try await client.prepare()
            return try await body(client)
        }
    }

    /// A logger in the chosen format. The first call sets up the logging system for the process.
    public func logger(_ label: String) -> Logger {
        LoggingSetup.once(resolvedLogFormat)
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
