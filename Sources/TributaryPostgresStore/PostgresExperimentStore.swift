import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import TributaryCore
import TributaryStore

/// The orchestrator's store on PostgreSQL, shared by every orchestrator of a namespace.
///
/// Each orchestrator holds one connection, driven from a thread of the store's own (see
/// ``PostgresSession``). Exactly-once across orchestrators rests on row locks: see
/// ``PostgresTransaction``. Outbox rows belong to the orchestrator that wrote them while
/// its heartbeat is fresh; once it lapses, ``claimOutbox(limit:)`` hands them to another.
public actor PostgresExperimentStore: ExperimentStore {
    nonisolated let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    public nonisolated let configuration: PostgresStoreConfiguration
    package nonisolated var location: String { configuration.description }
    private let logger: Logger
    private let traceCoding = TraceHeaderCoding()
    private var session: PostgresSession?
    private var connecting: Task<PostgresConnection, any Error>?
    private var connections = 0
    private var closed = false

    /// How often a transaction that lost a race with another orchestrator (a deadlock, a
    /// duplicate key, a lock wait that timed out) is run again before the error is returned.
    static let conflictRetries = 8
    /// SQLSTATEs that mean "another orchestrator got there first; run it again".
    static let conflicts: Set<String> = ["40001", "40P01", "23505", "55P03"]

    private init(configuration: PostgresStoreConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.executor = DedicatedThreadExecutor(name: "postgres-store")
    }

    /// Connects, creates or migrates the schema, and registers this orchestrator's heartbeat.
    /// Throws ``ExperimentStoreError/Code/schemaTooNew`` for a database of a newer orchestrator.
    package static func open(_ configuration: PostgresStoreConfiguration, logger: Logger) async throws -> PostgresExperimentStore {
        let store = PostgresExperimentStore(configuration: configuration, logger: logger)
        do {
            try await store.setUp()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private func setUp() async throws {
        try await withSession { session in
            try PostgresSchema.migrate(session, location: location)
            try heartbeat(session)
            // Once per start, not per heartbeat: orchestrators gone for a day with nothing
            // left to adopt are forgotten.
            try session.run(
                """
                DELETE FROM orchestrators AS r WHERE r.lease_until < clock_timestamp() - interval '1 day'
                AND NOT EXISTS (SELECT 1 FROM outbox WHERE owner = r.id)
                """)
        }
    }

    // MARK: Connection

    private func requireSession() async throws -> PostgresSession {
        if let session, !session.connection.isClosed { return session }
        guard !closed else { throw ExperimentStoreError(.closed, path: location, "the store is closed") }
        session = nil
        let task = connecting ?? Task { try await Self.connect(configuration, id: connections + 1, logger: logger) }
        connecting = task
        defer { connecting = nil }
        do {
            let connection = try await task.value
            if let session, !session.connection.isClosed {
                // Another caller connected meanwhile.
                if connection !== session.connection { PostgresSession.abandon(connection) }
                return session
            }
            connections += 1
            let session = PostgresSession(connection: connection, logger: logger, location: location)
            self.session = session
            if connections > 1 { logger.info("reconnected to the database", metadata: ["tributary.database": "\(location)"]) }
            return session
        } catch {
            throw PostgresSession.storeError(error, location: location)
        }
    }

    private static func connect(_ configuration: PostgresStoreConfiguration, id: Int, logger: Logger) async throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        switch configuration.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            let context = try NIOSSLContext(configuration: unverified)
            tls = configuration.tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var postgres = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: tls)
        postgres.options.connectTimeout = .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000)
        // Bounds on the server's side: no statement or lock wait hangs an orchestrator, and a
        // transaction left open by a vanished orchestrator does not hold its locks for long.
        postgres.options.additionalStartupParameters = [
            ("application_name", "tributary-orchestrator"), ("statement_timeout", "60000"), ("lock_timeout", "20000"),
            ("idle_in_transaction_session_timeout", "60000"),
        ]
        return try await PostgresConnection.connect(configuration: postgres, id: id, logger: logger)
    }

    /// Runs `work` on the session; a broken connection is dropped, so the next call reconnects.
    private func withSession<T>(_ work: (PostgresSession) throws -> T) async throws -> T {
        let session = try await requireSession()
        do {
            return try work(session)
        } catch let error as ExperimentStoreError where error.code == .unavailable {
            PostgresSession.abandon(session.connection)
            self.session = nil
            throw error
        }
    }

    // MARK: Transactions

    package func transaction<T: Sendable>(
        locking experimentIDs: [String], _ body: @Sendable (any ExperimentStoreTransaction) throws -> T
    ) async throws -> (value: T, enqueued: [OutboxEntry]) {
        var attempt = 1
        while true {
            do {
                return try await withSession { session in
                    // Synchronous from BEGIN to COMMIT: nothing else on this actor can run in between.
                    try session.run("BEGIN")
                    let transaction = PostgresTransaction(session: session, owner: configuration.instanceID, traceCoding: traceCoding)
                    do {
                        try transaction.lock(experimentIDs)
                        let value = try body(transaction)
                        try transaction.flush()
                        try session.run("COMMIT")
                        return (value, transaction.enqueued)
                    } catch {
                        _ = try? session.run("ROLLBACK")
                        throw error
                    }
                }
            } catch let error as ExperimentStoreError where error.sqlState.map(Self.conflicts.contains) == true && attempt < Self.conflictRetries {
                logger.debug(
                    "transaction conflicted with another orchestrator; running it again",
                    metadata: ["tributary.error": "\(error)", "tributary.attempt": "\(attempt)"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int64.random(in: 1...(5 * Int64(attempt)))))
            }
        }
    }

    // MARK: Outbox

    package func claimOutbox(limit: Int) async throws -> [OutboxEntry] {
        try await withSession { session in
            // Rows whose owner's lease has run out (it stopped renewing it: it died) or who is
            // gone. The lease is the owner's own, so orchestrators with different settings agree.
            // SKIP LOCKED lets two orchestrators adopt at once without taking the same row.
            let rows = try session.run(
                """
                WITH orphans AS (
                    SELECT o.id FROM outbox AS o
                    WHERE o.owner <> $1 AND NOT EXISTS (
                        SELECT 1 FROM orchestrators AS r WHERE r.id = o.owner AND r.lease_until > clock_timestamp())
                    ORDER BY o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
                UPDATE outbox SET owner = $1 FROM orphans WHERE outbox.id = orphans.id
                RETURNING \(StoredRecords.outboxColumns.replacingOccurrences(of: "id,", with: "outbox.id,", options: .anchored))
                """, [.text(configuration.instanceID), .integer(Int64(min(limit, Int(Int64.max))))])
            return try rows.compactMap { try StoredRecords.outboxEntry(from: PostgresStoredRow($0), traceCoding: traceCoding) }.sorted { $0.id < $1.id }
        }
    }

    package func removeFromOutbox(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await withSession { session in
            var binds = PostgresBindings()
            binds.append(ids)
            try session.run(PostgresQuery(unsafeSQL: "DELETE FROM outbox WHERE id = ANY($1)", binds: binds))
        }
    }

    package func heartbeat() async throws {
        try await withSession { try heartbeat($0) }
    }

    private func heartbeat(_ session: PostgresSession) throws {
        try session.run(
            """
            INSERT INTO orchestrators (id, started_at, heartbeat_at, lease_until)
            VALUES ($1, clock_timestamp(), clock_timestamp(), clock_timestamp() + make_interval(secs => $2))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = clock_timestamp(), lease_until = clock_timestamp() + make_interval(secs => $2)
            """, [.text(configuration.instanceID), .real(Double(configuration.outboxLease.components.seconds))])
    }

    // MARK: Reads

    /// Reads outside any transaction take no lock: status queries never hold up the work.
    private func read<T>(_ query: String, _ values: [StoredValue], _ decode: (PostgresStoredRow) throws -> T) async throws -> [T] {
        try await withSession { session in try session.run(query, values).map { try decode(PostgresStoredRow($0)) } }
    }

    package func experiment(id: String) async throws -> ExperimentRecord? {
        try await read(PostgresTransaction.statements.selectExperiment, [.text(id)]) {
            try StoredRecords.experiment(from: $0, traceCoding: traceCoding)
        }.first
    }

    package func recentExperiments(state: ExperimentState?, limit: Int, offset: Int) async throws -> [ExperimentRecord] {
        let statements = PostgresTransaction.statements
        return try await read(
            statements.recentExperiments(filtered: state != nil), statements.recentExperimentsValues(state: state, limit: limit, offset: offset)
        ) {
            try StoredRecords.experiment(from: $0, traceCoding: traceCoding)
        }
    }

    package func experimentCountsByState() async throws -> [ExperimentState: Int] {
        let counts = try await read(PostgresTransaction.statements.experimentCountsByState, []) { (try $0.text("state"), Int(try $0.integer("count"))) }
        return Dictionary(counts.compactMap { name, count in ExperimentState(rawValue: name).map { ($0, count) } }) { $1 }
    }

    package func batchStateCounts(experimentID: String, cellSize: Int) async throws -> [BatchStateCount] {
        let rows = try await read(PostgresTransaction.statements.batchStateCounts, [.text(experimentID), .integer(Int64(max(cellSize, 1)))]) {
            (Int(try $0.integer("cell")), try $0.text("state"), Int(try $0.integer("count")))
        }
        return rows.compactMap { cell, name, count in BatchStatus.State(rawValue: name).map { BatchStateCount(cell: cell, state: $0, count: count) } }
    }

    package func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) async throws -> [BatchRecord] {
        let (sql, values) = PostgresTransaction.statements.batches(experimentID: experimentID, in: states, limit: limit)
        return try await read(sql, values) { try StoredRecords.batch(from: $0) }
    }

    package func cacheStatistics() async throws -> [CacheReply.AnalyserEntries] {
        try await read(PostgresTransaction.statements.cacheStatistics, []) { try StoredStatements.analyserEntries(from: $0) }
    }

    package func purgeCache(analyser: String?, olderThan: Date?) async throws -> Int {
        let (sql, values) = PostgresTransaction.statements.purgeCache(analyser: analyser, olderThan: olderThan)
        return try await read("WITH removed AS (\(sql) RETURNING 1) SELECT COUNT(*) AS removed FROM removed", values) {
            Int(try $0.integer("removed"))
        }.first ?? 0
    }

    package func nextTimerDue() async throws -> Date? {
        try await read(PostgresTransaction.statements.nextTimerDue, []) { try $0.isNull("due") ? nil : Date(timeIntervalSince1970: try $0.real("due")) }
            .first ?? nil
    }

    /// The store failed, not the message, unless the server refused the message's data
    /// (SQLSTATE class 22: say text it can't store): that message is dead-lettered.
    package nonisolated func isStoreFailure(_ error: any Error) -> Bool {
        guard let error = error as? ExperimentStoreError else { return false }
        return !(error.code == .rejected && (error.sqlState?.hasPrefix("22") ?? false))
    }

    /// Ends the heartbeat, so what this orchestrator leaves in the outbox is adopted at
    /// once, and closes the connection.
    package func close() async {
        if let session, !session.connection.isClosed {
            _ = try? session.run("DELETE FROM orchestrators WHERE id = $1", [StoredValue.text(configuration.instanceID)])
            try? await session.connection.close()
        }
        session = nil
        closed = true
        executor.stop()
    }
}
