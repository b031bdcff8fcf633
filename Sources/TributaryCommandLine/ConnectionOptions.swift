import AMQP
import ArgumentParser
import Foundation
import Logging
import TributaryClient

/// Options every Tributary executable takes: the broker and its client certificate.
public struct ConnectionOptions: ParsableArguments {
    @OptionGroup public var broker: BrokerOptions

    @Option(help: "For amqps:// with mutual TLS: PEM client certificate. Default: $TRIBUTARY_TLS_CERT_FILE.")
    public var tlsCertFile: String?

    @Option(help: "For amqps:// with mutual TLS: PEM key of the client certificate. Default: $TRIBUTARY_TLS_KEY_FILE.")
    public var tlsKeyFile: String?

    public init() {}

    public var resolvedURL: String { broker.resolvedURL }
    public var resolvedNamespace: String { broker.resolvedNamespace }
    public var resolvedLogFormat: LogFormat { broker.resolvedLogFormat }
    public var topology: Topology { broker.topology }

    public func amqpConfiguration(connectionName: String) throws -> AMQPConfiguration {
        try broker.amqpConfiguration(connectionName: connectionName, certificateFile: tlsCertFile, keyFile: tlsKeyFile)
    }

    public func logger(_ label: String, defaultLevel: Logger.Level = .info) -> Logger {
        broker.logger(label, defaultLevel: defaultLevel)
    }

    /// Connects as the CLI, runs `body`, and closes the connection however `body` ends. The CLI
    /// logs at warning unless `--log-level` asks for more.
    public func withConnection<T>(_ body: (AMQPConnection) async throws -> T) async throws -> T {
        let connection = try await AMQPConnection.connect(
            amqpConfiguration(connectionName: "tributary-cli"), logger: logger("tributary.client", defaultLevel: .warning))
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
        try await withConnection { amqp in
            let client = TributaryClient(connection: amqp, topology: topology)
            try await client.prepare()
            return try await body(client)
        }
    }
}

/// The broker's options without a client certificate's: for a command whose `--tls-cert-file`
/// is its own (the console's HTTPS), which takes the broker's from the environment or the URI.
public struct BrokerOptions: ParsableArguments {
    // No computed default: --help would print it, and with it a password taken from AMQP_URL.
    @Option(
        name: .customLong("amqp-url"), help: "Broker URI (amqp://user:pass@host:port/vhost). Default: $AMQP_URL, else amqp://guest:guest@127.0.0.1:5672/%2F.")
    public var amqpURL: String?

    /// The URI in force: the option, else `AMQP_URL`, else the local default.
    public var resolvedURL: String {
        amqpURL ?? ProcessInfo.processInfo.environment["AMQP_URL"] ?? AMQPConfiguration.localURL
    }

    @Option(help: "For amqps://: PEM file of the CA(s) the broker's certificate must chain to. Default: $TRIBUTARY_TLS_CA_FILE, else the system's.")
    public var tlsCaFile: String?

    @Flag(help: "For amqps://: do not check the broker's certificate (tests only: anyone on the path could read the traffic).")
    public var tlsInsecureSkipVerify = false

    // No literal default: the environment's value must win over it (see `resolvedNamespace`).
    @Option(help: "Prefix of every exchange and queue; separates deployments sharing a broker. Default: $TRIBUTARY_NAMESPACE, else tributary.")
    public var namespace: String?

    /// The namespace in force: the option, else `TRIBUTARY_NAMESPACE`, else `tributary`.
    public var resolvedNamespace: String {
        namespace ?? ProcessInfo.processInfo.environment["TRIBUTARY_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "tributary"
    }

    // No literal default: a service logs at info, the `tributary` CLI at warning, so that its
    // output is the answer and not the connection's life story.
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. Default: info for services, warning for the tributary CLI.")
    public var logLevel: Logger.Level?

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

    /// The broker's configuration; the client certificate and key are the ones given, else
    /// `TRIBUTARY_TLS_CERT_FILE` and `TRIBUTARY_TLS_KEY_FILE`, else the URI's `certfile`/`keyfile`.
    public func amqpConfiguration(connectionName: String, certificateFile: String? = nil, keyFile: String? = nil) throws -> AMQPConfiguration {
        var configuration: AMQPConfiguration
        do {
            configuration = try AMQPConfiguration(url: resolvedURL)
        } catch {
            throw ValidationError("--amqp-url: \(error.message)")
        }
        configuration.connectionName = connectionName
        let environment = ProcessInfo.processInfo.environment
        func setting(_ option: String?, _ variable: String) -> String? {
            option ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        if let file = setting(tlsCaFile, "TRIBUTARY_TLS_CA_FILE") { configuration.tls.caCertificateFile = file }
        if let file = setting(certificateFile, "TRIBUTARY_TLS_CERT_FILE") { configuration.tls.certificateFile = file }
        if let file = setting(keyFile, "TRIBUTARY_TLS_KEY_FILE") { configuration.tls.keyFile = file }
        if tlsInsecureSkipVerify { configuration.tls.verifyPeer = false }
        let tls = configuration.tls
        if configuration.scheme == .amqp, tlsInsecureSkipVerify || tls.caCertificateFile != nil || tls.certificateFile != nil || tls.keyFile != nil {
            throw ValidationError("TLS options need an amqps:// broker URI (got \(configuration.scheme.rawValue)://)")
        }
        if (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw ValidationError("--tls-cert-file and --tls-key-file go together (mutual TLS needs both)")
        }
        for file in [tls.caCertificateFile, tls.certificateFile, tls.keyFile].compactMap({ $0 })
        where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("TLS file '\(file)' is not readable")
        }
        return configuration
    }

    public var topology: Topology { Topology(namespace: resolvedNamespace) }

    /// A logger in the chosen format, at `--log-level` or else `defaultLevel`. The first call
    /// sets up the logging system for the process.
    public func logger(_ label: String, defaultLevel: Logger.Level = .info) -> Logger {
        LoggingSetup.once(resolvedLogFormat)
        var logger = Logger(label: label)
        logger.logLevel = logLevel ?? defaultLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
