import Logging
import ServiceLifecycle
import TributaryCore
import TributaryObservability
import TributaryStore

/// Opening the orchestrator's store once it can be opened: a database server may start
/// after the orchestrator (containers start in any order), and `/readyz` says why it waits.
enum DatabaseWait {
    static func open(_ configuration: OrchestratorConfiguration, logger: Logger, readiness: Readiness) async throws -> any ExperimentStore {
        let location = try configuration.stores.describe(configuration.database)
        var delay = Duration.seconds(1)
        var attempt = 0
        while true {
            attempt += 1
            readiness.mark("database", notReady: "opening \(location)")
            do {
                return try await configuration.stores.open(configuration.database, options: configuration.storeOptions, logger: logger)
            } catch let error as ExperimentStoreError where error.code == .unavailable {
                readiness.mark("database", notReady: "waiting for the database: \(error)")
                logger.warning(
                    "database not reachable yet; retrying",
                    metadata: .tributary([.attempt: "\(attempt)", .retryIn: "\(delay)", .error: "\(error)"]))
                let wait = delay
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                delay = min(delay * 2, .seconds(15))
            }
        }
    }
}
