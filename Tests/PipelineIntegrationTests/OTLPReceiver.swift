import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TributaryTesting

/// The receiving end of OTLP/HTTP, as a collector would be: keeps every body posted to
/// `/v1/traces` so a test can look for a trace id in what the services exported.
final class OTLPReceiver: Sendable {
    private let bodies = Mutex<[[UInt8]]>([])
    private let boundPort = Mutex<Int?>(nil)

    var received: [[UInt8]] { bodies.withLock { $0 } }
    var port: Int? { boundPort.withLock { $0 } }

    /// Serves until the surrounding task is cancelled.
    func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.post("v1/traces") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            self.bodies.withLock { $0.append(Array(buffer.readableBytesView)) }
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        var logger = Logger(label: "test.otlp-receiver")
        logger.logLevel = .warning
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                self.boundPort.withLock { $0 = port }
                onListening(port)
            }, logger: logger)
        try await application.runService()
    }
}
