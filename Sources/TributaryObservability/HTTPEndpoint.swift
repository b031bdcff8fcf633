import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The operator's HTTP endpoint: `/metrics` (Prometheus text), `/healthz`, `/readyz`, and
/// whatever pages the service adds (``HTTPRoutes``).
enum HTTPEndpoint {
    static func application(
        host: String, port: Int, registry: PrometheusCollectorRegistry, readiness: Readiness, routes: HTTPRoutes = HTTPRoutes(),
        logger: Logger, onRunning: (@Sendable (Int?) -> Void)? = nil
    ) -> some Service {
        let router = Router()
        let metricsGuard = routes.metricsGuard
        router.get("metrics") { request, _ -> Response in
            if let metricsGuard, !metricsGuard(request) {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
            }
            var body: [UInt8] = []
            body.reserveCapacity(16_384)
            registry.emit(into: &body)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        // Answering at all shows the process and its event loop are alive; readiness is separate,
        // so an orchestrator that lost its broker is not restarted for it.
        router.get("healthz") { _, _ -> Response in
            json(.ok, #"{"status":"ok"}"#)
        }
        router.get("readyz") { _, _ -> Response in
            let report = readiness.evaluate()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let body = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"status":"not_ready"}"#
            return json(report.isReady ? .ok : .serviceUnavailable, body)
        }
        routes.register(on: router)
        return Application(
            router: router,
            server: routes.server ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                onRunning?(channel.localAddress?.port)
                logger.info("HTTP endpoint listening", metadata: ["tributary.http_address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
    }

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}
