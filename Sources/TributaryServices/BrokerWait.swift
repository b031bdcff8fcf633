import AMQP
import Logging
import ServiceLifecycle
import TributaryCore
import TributaryObservability

/// Connecting a service to the broker when nothing guarantees the broker is up first
/// (containers start in any order): retries with backoff, says why on `/readyz` meanwhile,
/// and gives up only on a graceful shutdown or an error no retry can fix.
package enum BrokerWait {
    package static func connect(_ configuration: AMQPConfiguration, logger: Logger, readiness: Readiness) async throws -> AMQPConnection {
        var delay = configuration.reconnect.initialDelay
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await AMQPConnection.connect(configuration, logger: logger)
            } catch  where isPermanent(error) {
                readiness.mark("broker", notReady: "\(error)")
                throw error
            } catch {
                readiness.mark("broker", notReady: "waiting for the broker: \(error)")
                // Credentials refused look like a broker still importing its definitions at
                // first, so they are retried too, but logged as errors: if it lasts, it is a mistake.
                let level: Logger.Level = error.code == .authenticationFailed ? .error : .warning
                logger.log(
                    level: level, "broker not reachable yet; retrying",
                    metadata: .tributary([.attempt: "\(attempt)", .retryIn: "\(delay)", .error: "\(error)"]))
                // Cancelled by a graceful shutdown: stop waiting and let the service return.
                let wait = delay
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                delay = min(delay * 2, configuration.reconnect.maximumDelay)
            }
        }
    }

    /// Errors of configuration, not of timing: retrying would only hide them.
    private static func isPermanent(_ error: AMQPError) -> Bool {
        error.code == .invalidURI || error.code == .unsupported || error.code == .invalidArgument
    }
}
