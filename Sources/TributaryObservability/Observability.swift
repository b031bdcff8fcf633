import Hummingbird
import Logging
import Metrics
import OTel
import Prometheus
import ServiceLifecycle
import Tracing
import TributaryContentStore

/// A service's metrics backend, trace exporter and HTTP endpoint, set up once per process.
public struct Observability: Sendable {
    /// What `/readyz` evaluates; the service registers its checks here.
    public let readiness: Readiness
    /// Run these beside the application in its service group: the HTTP endpoint and the
    /// trace exporter, when configured.
    public let services: [any Service]

    /// Histogram buckets for the duration metrics Tributary records (seconds): a fan-in takes
    /// milliseconds, a task anywhere from milliseconds to an hour of model calls.
    static let durationBuckets: [String: [Duration]] = [
        MetricName.fanIn: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { .seconds($0) },
        MetricName.taskDuration: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600].map { .seconds($0) },
    ]

    /// Bootstraps the process-wide metrics and tracing systems; call once, before the services start.
    ///
    /// Metrics go to Prometheus only when the HTTP endpoint is on: with nowhere to read them,
    /// they would be work for nobody. Traces are exported over OTLP only when
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (or the traces one) is set.
    /// `routes` are pages the service adds to its HTTP endpoint.
    public static func bootstrap(
        _ configuration: ObservabilityConfiguration, routes: HTTPRoutes = HTTPRoutes(), logger: Logger
    ) throws -> Observability {
        let readiness = Readiness()
        var services: [any Service] = []
        var routes = routes
        if let digest = configuration.metricsTokenDigest?.lowercased(), routes.metricsGuard == nil {
            routes.metricsGuard = { request in
                guard let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("bearer ") else { return false }
                return SHA256.hex(of: Array(authorization.dropFirst(7).utf8)) == digest
            }
        }
        if let port = configuration.httpPort {
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets = durationBuckets
            MetricsSystem.bootstrap(factory)
            services.append(
                HTTPEndpoint.application(
                    host: configuration.httpHost, port: port, registry: registry, readiness: readiness, routes: routes, logger: logger))
        }
        if configuration.exportsTraces {
            var otel = OTel.Configuration.default
            otel.serviceName = configuration.serviceName
            otel.metrics.enabled = false
            otel.logs.enabled = false
            // Through the service's own logging (so JSON logs stay JSON), warnings and up: its
            // info lines echo every OTEL_* variable, OTEL_EXPORTER_OTLP_HEADERS' tokens included.
            otel.diagnosticLogger = .custom(logger)
            otel.diagnosticLogLevel = .warning
            let backend = try OTel.makeTracingBackend(configuration: otel)
            InstrumentationSystem.bootstrap(backend.factory)
            services.append(backend.service)
            logger.info("exporting traces over OTLP", metadata: ["tributary.otel_service": "\(configuration.serviceName)"])
        }
        return Observability(readiness: readiness, services: services)
    }
}
