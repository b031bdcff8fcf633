import Logging
import TributaryPostgresStore
import TributarySQLiteStore
import TributaryStore

/// The store a `--database` value names: a `postgres://` or `postgresql://` URL opens the
/// PostgreSQL store, anything else is a SQLite file. The one place that knows every
/// backend; a new one is a module beside the other two and a case here.
package struct ExperimentStores: ExperimentStoreOpener {
    package init() {}

    package func describe(_ location: String) throws -> String {
        PostgresStoreConfiguration.isURL(location) ? try PostgresStoreConfiguration(url: location).description : location
    }

    package func open(_ location: String, options: ExperimentStoreOptions, logger: Logger) async throws -> any ExperimentStore {
        guard PostgresStoreConfiguration.isURL(location) else {
            // Taken before the file is opened and held until the store closes: a second
            // orchestrator on the same file refuses to start instead of sharing the outbox.
            let lock = try DatabaseLock(database: location)
            return try await SQLiteExperimentStore.open(path: location, durability: options.durability, lock: lock)
        }
        var configuration = try PostgresStoreConfiguration(url: location)
        configuration.outboxLease = options.outboxLease
        return try await PostgresExperimentStore.open(configuration, logger: logger)
    }
}
