import TributaryStore

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
        """,
        // 2: retries, timeouts, tolerated failures, cancellation, re-runs. Batches get records
        // of their own (which replace batch_results); experiments get counters, a step timer
        // and their resilience settings. A batch's planned task lives apart from its record:
        // the record is updated on every attempt and must stay small, and the lookups of
        // pending batches and due timers use partial indexes, never a walk over the batches. Experiments in flight across the upgrade keep going:
        // their missing batches count as dispatched (attempt 1) with a deadline 15 minutes on,
        // but their tasks were never stored, so they can't be re-sent, only failed.
        """
        ALTER TABLE experiments ADD COLUMN batches_failed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN retry_waiting INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN run INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE experiments ADD COLUMN last_progress_at REAL;
        ALTER TABLE experiments ADD COLUMN step_attempt INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE experiments ADD COLUMN step_first_attempt INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE experiments ADD COLUMN step_due_at REAL;
        ALTER TABLE experiments ADD COLUMN step_waiting INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN documents_planned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE experiments ADD COLUMN max_attempts INTEGER NOT NULL DEFAULT 3;
        ALTER TABLE experiments ADD COLUMN initial_backoff_ms INTEGER NOT NULL DEFAULT 2000;
        ALTER TABLE experiments ADD COLUMN max_backoff_ms INTEGER NOT NULL DEFAULT 60000;
        ALTER TABLE experiments ADD COLUMN task_timeout_ms INTEGER NOT NULL DEFAULT 900000;
        ALTER TABLE experiments ADD COLUMN tolerance TEXT NOT NULL DEFAULT '0';
        ALTER TABLE experiments ADD COLUMN max_in_flight INTEGER NOT NULL DEFAULT 1000;
        CREATE INDEX experiments_step_due ON experiments (step_due_at) WHERE step_due_at IS NOT NULL;
        CREATE INDEX experiments_created ON experiments (created_at);
        CREATE TABLE batches (
            experiment_id TEXT NOT NULL, batch_index INTEGER NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL,
            dispatched_at REAL, due_at REAL, worker_id TEXT, last_error TEXT, result BLOB,
            PRIMARY KEY (experiment_id, batch_index)
        );
        CREATE INDEX batches_due ON batches (due_at) WHERE due_at IS NOT NULL;
        CREATE INDEX batches_pending ON batches (experiment_id, batch_index) WHERE state = 'pending';
        CREATE TABLE batch_tasks (
            experiment_id TEXT NOT NULL, batch_index INTEGER NOT NULL, task BLOB NOT NULL,
            PRIMARY KEY (experiment_id, batch_index)
        );
        INSERT INTO batches (experiment_id, batch_index, state, attempt, dispatched_at, due_at, result)
            WITH RECURSIVE planned (experiment_id, batch_index, batch_count, state) AS (
                SELECT id, 0, batch_count, state FROM experiments WHERE batch_count > 0
                UNION ALL
                SELECT experiment_id, batch_index + 1, batch_count, state FROM planned WHERE batch_index + 1 < batch_count
            )
            SELECT p.experiment_id, p.batch_index,
                   CASE WHEN r.result IS NOT NULL THEN 'succeeded' WHEN p.state = 'analysing' THEN 'dispatched' ELSE 'failed' END,
                   1, CAST(strftime('%s', 'now') AS REAL),
                   CASE WHEN r.result IS NULL AND p.state = 'analysing' THEN CAST(strftime('%s', 'now') AS REAL) + 900 END,
                   r.result
            FROM planned p LEFT JOIN batch_results r ON r.experiment_id = p.experiment_id AND r.batch_index = p.batch_index;
        DROP TABLE batch_results;
        UPDATE experiments SET in_flight = batch_count - batches_completed WHERE state = 'analysing';
        UPDATE experiments SET step_due_at = CAST(strftime('%s', 'now') AS REAL) + 900 WHERE state IN ('pre_testing', 'synthesising');
        UPDATE experiments SET last_progress_at = updated_at;
        """,
        // 3: trace context. An experiment keeps the propagation headers it was submitted with,
        // and the outbox keeps them with each message, so a re-published message continues the
        // same trace (NULL when there are none). The state index keeps the per-state counts
        // behind the `tributary_experiments` gauge off the table itself.
        """
        ALTER TABLE experiments ADD COLUMN trace_context BLOB;
        ALTER TABLE outbox ADD COLUMN trace_headers BLOB;
        CREATE INDEX experiments_state ON experiments (state);
        """,
        // 4: the analyser an experiment chose (its lane), its model and its ledger, as JSON;
        // NULL for experiments that chose none, which is every experiment from before. And
        // each metered model's request and token buckets, shared by its experiments.
        """
        ALTER TABLE experiments ADD COLUMN analysis BLOB;
        CREATE TABLE model_rates (model TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID;
        """,
        // 5: why a paused experiment is paused (`budget`, `operator`); NULL otherwise.
        "ALTER TABLE experiments ADD COLUMN pause_reason TEXT;",
        // 6: the result cache, one analysis per key and shared by every experiment, and each
        // batch's cache plan (its documents' keys and the analyses the cache gave them).
        """
        CREATE TABLE analysis_cache (
            key TEXT PRIMARY KEY, analyser TEXT NOT NULL, document_id TEXT NOT NULL, result BLOB NOT NULL,
            input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost REAL NOT NULL, created_at REAL NOT NULL,
            experiment_id TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX analysis_cache_analyser ON analysis_cache (analyser, created_at);
        CREATE TABLE batch_cache_plans (
            experiment_id TEXT NOT NULL, batch_index INTEGER NOT NULL, plan BLOB NOT NULL,
            PRIMARY KEY (experiment_id, batch_index)
        ) WITHOUT ROWID;
        """,
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
