import Logging
import ServiceLifecycle
import TributaryCore
import TributaryObservability
import TributaryPostgresStore
import TributaryStore

/// Opening the orchestrator's store: a SQLite file at once (refusing a file another
/// orchestrator holds), or a PostgreSQL database once it is reachable (containers start in
/// any order), saying why on `/readyz` meanwhile.
enum DatabaseWait {
    /// The open store, and the file lock a SQLite store holds until the orchestrator stops.
    struct Opened {
        var store: any ExperimentStore
        var lock: DatabaseLock?
    }

    static func open(_ configuration: OrchestratorConfiguration, logger: Logger, readiness: Readiness) async throws -> Opened {
        guard PostgresStoreConfiguration.isURL(configuration.database) else {
            readiness.mark("database", notReady: "opening \(configuration.database)")
            // Held until the orchestrator has stopped: a second one on this file refuses to start.
            let lock = try DatabaseLock(database: configuration.database)
            let store = try await SQLiteExperimentStore.open(path: configuration.database, durability: configuration.durability)
            return Opened(store: store, lock: lock)
        }
        var postgres = try PostgresStoreConfiguration(url: configuration.database)
        postgres.outboxLease = configuration.outboxLease
        var delay = Duration.seconds(1)
        var attempt = 0
        while true {
            attempt += 1
            readiness.mark("database", notReady: "connecting to \(postgres)")
            do {
                return Opened(store: try await PostgresExperimentStore.open(postgres, logger: logger), lock: nil)
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
