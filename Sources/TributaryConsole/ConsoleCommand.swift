import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TributaryCommandLine
import TributaryObservability
import UnixSignals

/// The `tributary-console` executable: the web console and its API.
public struct ConsoleCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "tributary-console",
        abstract: "Serves the web console and its JSON API (/api/v1) over the orchestrators' contract.",
        discussion: """
            Every page and API route but /healthz and /readyz needs a token from --tokens-file: a \
            browser signs in for a session cookie, the API takes Authorization: Bearer. Without a \
            tokens file the console refuses to start unless --no-auth is given, which serves on \
            loopback only. --hash-token reads a token on standard input and prints the sha256 the \
            tokens file holds for it. With --tls-cert-file and --tls-key-file it serves HTTPS \
            (and marks the session cookie Secure); a client certificate for the broker then comes \
            from $TRIBUTARY_TLS_CERT_FILE and $TRIBUTARY_TLS_KEY_FILE, or the URI's certfile and \
            keyfile. Stops on SIGTERM or SIGINT.
            """)

    @OptionGroup var connection: BrokerOptions

    @Option(help: "Serve HTTPS with this PEM certificate (chain first). Default: $TRIBUTARY_CONSOLE_TLS_CERT_FILE; without it, plain HTTP.")
    var tlsCertFile: String?

    @Option(help: "The PEM private key of --tls-cert-file. Default: $TRIBUTARY_CONSOLE_TLS_KEY_FILE.")
    var tlsKeyFile: String?

    @Option(help: "Serve the console on this port. Default: $TRIBUTARY_HTTP_PORT, else 8080.")
    var httpPort: Int?

    @Option(help: "Address to bind; with --no-auth only a loopback address is allowed.")
    var httpHost: String = "0.0.0.0"

    @Option(help: "The tokens file (YAML: a list of name, role: viewer | operator, sha256). Default: $TRIBUTARY_CONSOLE_TOKENS_FILE.")
    var tokensFile: String?

    @Flag(help: "Serve without tokens, to this machine only (binds 127.0.0.1): everyone who can reach it is an operator.")
    var noAuth = false

    @Flag(help: "Read a token on standard input, print its sha256 for the tokens file, and exit.")
    var hashToken = false

    static let loopback: Set<String> = ["127.0.0.1", "::1", "localhost"]

    public func run() async throws {
        if hashToken {
            let token = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
            guard !token.isEmpty else { throw ValidationError("--hash-token: no token on standard input") }
            print(ConsoleTokens.digest(of: token))
            return
        }
        let environment = ProcessInfo.processInfo.environment
        let tokensPath = tokensFile ?? environment["TRIBUTARY_CONSOLE_TOKENS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        var host = httpHost
        let tokens: ConsoleTokens?
        if let tokensPath {
            guard !noAuth else { throw ValidationError("--no-auth and a tokens file: choose one") }
            do { tokens = try ConsoleTokens.load(tokensPath) } catch { throw ValidationError("--tokens-file: \(error)") }
        } else {
            guard noAuth else {
                throw ValidationError(
                    "no tokens file: give --tokens-file (or TRIBUTARY_CONSOLE_TOKENS_FILE), or --no-auth to serve this machine only")
            }
            if host == "0.0.0.0" { host = "127.0.0.1" }
            guard Self.loopback.contains(host) else { throw ValidationError("--no-auth serves loopback only, not \(host)") }
            tokens = nil
        }
        let port = httpPort ?? environment["TRIBUTARY_HTTP_PORT"].flatMap { Int($0) } ?? 8080
        let logger = connection.logger("tributary.console")
        let tls = try ConsoleTLS.server(
            certificate: tlsCertFile ?? environment["TRIBUTARY_CONSOLE_TLS_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            key: tlsKeyFile ?? environment["TRIBUTARY_CONSOLE_TLS_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 })
        let access = ConsoleAccess(tokens: tokens, sessions: ConsoleSessions(), limiter: SignInLimiter(), secureCookies: tls != nil)
        let backend = ConsoleBackend()
        let consoleRoutes = ConsoleRoutes(access: access, backend: backend, logger: logger)
        var routes = HTTPRoutes()
        routes.server = tls
        routes.add { consoleRoutes.register(on: $0) }
        routes.metricsGuard = { request in
            if case .signedIn = access.authenticate(request) { return true }
            return false
        }
        var observing = ObservabilityConfiguration(serviceName: "tributary-console", httpPort: port, environment: environment)
        observing.httpHost = host
        let observability = try Observability.bootstrap(observing, routes: routes, logger: logger)
        let service = ConsoleService(
            amqp: try connection.amqpConfiguration(connectionName: "console"), topology: connection.topology, backend: backend,
            readiness: observability.readiness, logger: logger)
        if tokens == nil { logger.warning("console serving without tokens (--no-auth), on \(host) only") }
        let group = ServiceGroup(
            services: observability.services + [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
    }
}
