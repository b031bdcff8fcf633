import TributaryStore

/// The PostgreSQL store's schema as numbered migrations, tracked in `tributary_schema`.
///
/// An orchestrator migrates an empty or older database itself, in one transaction under an
/// advisory lock, so orchestrators starting together migrate once. A database written by a
/// newer orchestrator is refused. To change the schema, append a migration; never edit one
/// that has shipped. The layout follows the SQLite store's (times are Unix seconds), plus
/// what sharing needs: outbox rows name the orchestrator publishing them, and orchestrators
/// renew a heartbeat that holds them for their own lease.
enum PostgresSchema {
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE experiments (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,
                batch_count BIGINT NOT NULL, batches_completed BIGINT NOT NULL, duplicates_ignored BIGINT NOT NULL,
                synthesis_requests BIGINT NOT NULL, warnings BYTEA NOT NULL, failure TEXT,
                created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, report BYTEA,
                batches_failed BIGINT NOT NULL, in_flight BIGINT NOT NULL, retry_waiting BIGINT NOT NULL, retries BIGINT NOT NULL,
                run BIGINT NOT NULL, last_progress_at DOUBLE PRECISION, step_attempt BIGINT NOT NULL, step_first_attempt BIGINT NOT NULL,
                step_due_at DOUBLE PRECISION, step_waiting BIGINT NOT NULL, documents_planned BIGINT NOT NULL,
                max_attempts BIGINT NOT NULL, initial_backoff_ms BIGINT NOT NULL, max_backoff_ms BIGINT NOT NULL,
                task_timeout_ms BIGINT NOT NULL, tolerance TEXT NOT NULL, max_in_flight BIGINT NOT NULL, trace_context BYTEA
            )
            """,
            "CREATE INDEX experiments_step_due ON experiments (step_due_at) WHERE step_due_at IS NOT NULL",
            "CREATE INDEX experiments_created ON experiments (created_at)",
            "CREATE INDEX experiments_state ON experiments (state)",
            "CREATE TABLE experiment_specs (id TEXT PRIMARY KEY, spec BYTEA NOT NULL)",
            """
            CREATE TABLE batches (
                experiment_id TEXT NOT NULL, batch_index BIGINT NOT NULL, state TEXT NOT NULL, attempt BIGINT NOT NULL,
                dispatched_at DOUBLE PRECISION, due_at DOUBLE PRECISION, worker_id TEXT, last_error TEXT, result BYTEA,
                PRIMARY KEY (experiment_id, batch_index)
            )
            """,
            "CREATE INDEX batches_due ON batches (due_at) WHERE due_at IS NOT NULL",
            "CREATE INDEX batches_pending ON batches (experiment_id, batch_index) WHERE state = 'pending'",
            """
            CREATE TABLE batch_tasks (
                experiment_id TEXT NOT NULL, batch_index BIGINT NOT NULL, task BYTEA NOT NULL, PRIMARY KEY (experiment_id, batch_index)
            )
            """,
            """
            CREATE TABLE outbox (
                id BIGSERIAL PRIMARY KEY, owner TEXT NOT NULL, destination TEXT NOT NULL, routing_key TEXT NOT NULL,
                message_id TEXT NOT NULL, correlation_id TEXT NOT NULL, type TEXT NOT NULL, headers BYTEA NOT NULL,
                body BYTEA NOT NULL, trace_headers BYTEA NOT NULL
            )
            """,
            "CREATE INDEX outbox_owner ON outbox (owner)",
            """
            CREATE TABLE orchestrators (
                id TEXT PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, heartbeat_at TIMESTAMPTZ NOT NULL,
                lease_until TIMESTAMPTZ NOT NULL
            )
            """,
        ],
        // 2: the analyser an experiment chose (its lane), its model and its ledger, as JSON;
        // NULL for experiments that chose none. And each metered model's request and token
        // buckets, one row every orchestrator locks while it dispatches for that model.
        ["ALTER TABLE experiments ADD COLUMN analysis BYTEA", "CREATE TABLE model_rates (model TEXT PRIMARY KEY, state BYTEA NOT NULL)"],
        // 3: why a paused experiment is paused (`budget`, `operator`); NULL otherwise.
        ["ALTER TABLE experiments ADD COLUMN pause_reason TEXT"],
        // 4: the result cache, one analysis per key and shared by every experiment and every
        // orchestrator, and each batch's cache plan.
        [
            """
            CREATE TABLE analysis_cache (
                key TEXT PRIMARY KEY, analyser TEXT NOT NULL, document_id TEXT NOT NULL, result BYTEA NOT NULL,
                input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost DOUBLE PRECISION NOT NULL,
                created_at DOUBLE PRECISION NOT NULL, experiment_id TEXT NOT NULL
            )
            """,
            "CREATE INDEX analysis_cache_analyser ON analysis_cache (analyser, created_at)",
            """
            CREATE TABLE batch_cache_plans (
                experiment_id TEXT NOT NULL, batch_index BIGINT NOT NULL, plan BYTEA NOT NULL, PRIMARY KEY (experiment_id, batch_index)
            )
            """,
        ],
    ]

    /// The version this binary writes.
    static var currentVersion: Int { migrations.count }

    /// Any constant shared by every orchestrator: the key of the advisory lock migrations take.
    static let migrationLock: Int64 = 0x7472_6962_7574_6172

    /// Brings the database to ``currentVersion``; returns the version it had.
    @discardableResult
    static func migrate(_ session: PostgresSession, location: String) throws -> Int {
        try session.run("BEGIN")
        do {
            try session.run("SELECT pg_advisory_xact_lock($1)", [.integer(migrationLock)])
            try session.run("CREATE TABLE IF NOT EXISTS tributary_schema (version BIGINT NOT NULL)")
            let rows = try session.run("SELECT version FROM tributary_schema")
            let found = try rows.first.map { Int(try PostgresStoredRow($0).integer("version")) }
            if found == nil { try session.run("INSERT INTO tributary_schema (version) VALUES (0)") }
            let version = found ?? 0
            guard version <= currentVersion else {
                throw ExperimentStoreError(
                    .schemaTooNew, path: location,
                    "schema version \(version) is newer than this orchestrator's \(currentVersion); run the newer orchestrator")
            }
            for migration in migrations[version...] {
                for statement in migration { try session.run(statement) }
            }
            try session.run("UPDATE tributary_schema SET version = $1", [.integer(Int64(currentVersion))])
            try session.run("COMMIT")
            return version
        } catch {
            _ = try? session.run("ROLLBACK")
            throw error
        }
    }
}
