import ArgumentParser
import Foundation

/// The operator endpoint of a long-running service: `/metrics`, `/healthz`, `/readyz`.
public struct HTTPOptions: ParsableArguments {
    // No literal default: the environment's value must win over it (see `resolvedPort`).
    @Option(help: "Serve /metrics, /healthz and /readyz on this port. Default: $TRIBUTARY_HTTP_PORT, else off.")
    public var httpPort: Int?

    @Option(help: "Address the HTTP endpoint binds to.")
    public var httpHost: String = "0.0.0.0"

    // Not the token: its hash, so that neither the command line nor a manifest holds it.
    @Option(
        help:
            "Serve /metrics only to Authorization: Bearer TOKEN, given here as the token's sha256 (tributary-console --hash-token). Default: $TRIBUTARY_METRICS_TOKEN, else /metrics is open."
    )
    public var metricsToken: String?

    public init() {}

    /// The port in force: the option, else `TRIBUTARY_HTTP_PORT`, else none (no endpoint).
    public var resolvedPort: Int? {
        httpPort ?? ProcessInfo.processInfo.environment["TRIBUTARY_HTTP_PORT"].flatMap { $0.isEmpty ? nil : Int($0) }
    }

    /// The metrics token's hash in force: the option, else `TRIBUTARY_METRICS_TOKEN`, else none.
    public var resolvedMetricsToken: String? {
        metricsToken ?? ProcessInfo.processInfo.environment["TRIBUTARY_METRICS_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func validate() throws {
        if let digest = resolvedMetricsToken, digest.utf8.count != 64 || !digest.allSatisfy(\.isHexDigit) {
            throw ValidationError("--metrics-token (or TRIBUTARY_METRICS_TOKEN) takes the token's sha256, 64 hex digits, not the token itself")
        }
        if httpPort == nil, let value = ProcessInfo.processInfo.environment["TRIBUTARY_HTTP_PORT"], !value.isEmpty {
            guard let port = Int(value), (0...65_535).contains(port) else {
                throw ValidationError("TRIBUTARY_HTTP_PORT: '\(value)' is not a port number")
            }
        }
        if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be between 0 and 65535") }
    }
}
