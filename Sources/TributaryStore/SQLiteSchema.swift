/// The store's schema as numbered migrations, tracked in `PRAGMA user_version`.
///
/// Opening a database applies the migrations it lacks, in order, inside one transaction, so
/// a failed upgrade leaves it as it was. A database from a newer orchestrator is refused:
/// this binary can't know what the newer schema means. To change the schema, append a
/// migration; never edit one that has shipped.
enum SQLiteSchema {
    static let migrations: [String] = [
        // 1: the schema before versioning (user_version 0), hence IF NOT EXISTS: a database
        // written by those builds already has these tables and migrates by being stamped.
        """
        CREATE TABLE IF NOT EXISTS experiments (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,
            batch_count INTEGER NOT NULL, batches_completed INTEGER NOT NULL,
            duplicates_ignored INTEGER NOT NULL, synthesis_requests INTEGER NOT NULL,
            warnings BLOB NOT NULL, failure TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL, report BLOB
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS experiment_specs (id TEXT PRIMARY KEY, spec BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS batch_results (
            experiment_id TEXT NOT NULL, batch_index INTEGER NOT NULL, result BLOB NOT NULL,
            PRIMARY KEY (experiment_id, batch_index)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, routing_key TEXT NOT NULL,
            message_id TEXT NOT NULL, correlation_id TEXT NOT NULL, type TEXT NOT NULL,
            headers BLOB NOT NULL, body BLOB NOT NULL
        );
        """
    ]

    /// The version this binary writes.
    static var currentVersion: Int { migrations.count }

    /// Brings `database` to ``currentVersion``; returns the version it had.
    @discardableResult
    static func migrate(_ database: SQLiteDatabase) throws -> Int {
        try database.execute("BEGIN IMMEDIATE")
        do {
            let found = try database.userVersion()
            guard found <= currentVersion else {
                throw ExperimentStoreError(
                    .schemaTooNew, path: database.path,
                    "schema version \(found) is newer than this orchestrator's \(currentVersion); "
                        + "run the newer orchestrator (or restore a backup taken before the upgrade)")
            }
            for version in found..<currentVersion { try database.execute(migrations[version]) }
            if found != currentVersion { try database.execute("PRAGMA user_version = \(currentVersion)") }
            try database.execute("COMMIT")
            return found
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }
}
