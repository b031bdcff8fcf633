import Logging

/// How a store is opened, beyond where it is. Each setting applies to the backends it names.
package struct ExperimentStoreOptions: Sendable {
    /// How hard a commit works to survive.
    package enum Durability: String, Sendable, CaseIterable {
        /// fsync on every commit: survives power loss. The default.
        case full = "FULL"
        /// fsync at checkpoints only: survives a process crash (SIGKILL), not a power cut.
        case normal = "NORMAL"
    }

    /// SQLite only.
    package var durability: Durability = .full
    /// PostgreSQL only: how long this orchestrator's claim on its unconfirmed outbox rows
    /// outlives its last heartbeat; after that, another orchestrator publishes them.
    package var outboxLease: Duration = .seconds(10)

    package init() {}
}

/// Opens the store a `--database` value names. The services hold one of these instead of
/// naming a backend, so that neither they nor the shared store code link SQLite or
/// PostgreSQL; `TributaryStores` provides the one that knows both.
package protocol ExperimentStoreOpener: Sendable {
    /// `location` fit for a log line or `/readyz`: a path, or a URL without its password.
    /// Throws ``ExperimentStoreError/Code/invalidLocation`` when it names no backend.
    func describe(_ location: String) throws -> String
    /// Opens the store, creating or migrating its schema. Throws an ``ExperimentStoreError``
    /// with code `unavailable` while a database server can't be reached: the caller waits and
    /// tries again. Any other error is final.
    func open(_ location: String, options: ExperimentStoreOptions, logger: Logger) async throws -> any ExperimentStore
}
