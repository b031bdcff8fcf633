/// How a service exposes itself to operators: its HTTP endpoint and its name in traces.
public struct ObservabilityConfiguration: Sendable, Hashable {
    /// The name traces and logs carry (`service.name`), e.g. `orchestrator`.
    public var serviceName: String
    /// Port of the HTTP endpoint (`/metrics`, `/healthz`, `/readyz`); `nil` serves nothing
    /// and leaves metrics off.
    public var httpPort: Int?
    /// Address the endpoint binds to: all interfaces by default, so a container's port can be published.
    public var httpHost = "0.0.0.0"
    /// When set, `/metrics` answers only `Authorization: Bearer <token>` whose SHA-256 (hex)
    /// this is: the hash a console tokens file holds, so no token is ever in a flag.
    public var metricsTokenDigest: String?
    /// The process environment, read for the standard `OTEL_*` variables.
    public var environment: [String: String]

    public init(serviceName: String, httpPort: Int? = nil, environment: [String: String] = [:]) {
        self.serviceName = serviceName
        self.httpPort = httpPort
        self.environment = environment
    }

    /// Traces are exported only when an OTLP endpoint is configured, as the OpenTelemetry
    /// specification's variables name it.
    public var exportsTraces: Bool {
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { !(environment[$0] ?? "").isEmpty }
            && environment["OTEL_TRACES_EXPORTER"] != "none"
    }
}
