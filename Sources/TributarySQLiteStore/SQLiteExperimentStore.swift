import Foundation
import TributaryCore
import TributaryStore

/// The orchestrator's durable store: an embedded SQLite database in WAL mode.
///
/// Runs on its own thread (see ``DedicatedThreadExecutor``), so commits and their fsyncs
/// never block Swift's cooperative pool.
public actor SQLiteExperimentStore: ExperimentStore {
    /// How hard SQLite works to make a commit survive (`PRAGMA synchronous`).
    package typealias Durability = ExperimentStoreOptions.Durability

    nonisolated let executor: DedicatedThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var database: SQLiteDatabase?
    /// Held from open to close, when the opener took one: a second orchestrator on the file refuses to start.
    private var lock: DatabaseLock?
    private let traceCoding = TraceHeaderCoding()
    /// Whether ``claimOutbox(limit:)`` has handed out what the previous run left.
    private var outboxClaimed = false
    package nonisolated let path: String
    package nonisolated var location: String { path }

    private init(path: String) {
        self.path = path
        self.executor = DedicatedThreadExecutor(name: "sqlite-store")
    }

    /// Opens (creating if needed) the database at `path` and migrates its schema forward.
    /// Throws ``ExperimentStoreError/Code/schemaTooNew`` for a database of a newer orchestrator.
    package static func open(path: String, durability: Durability = .full, lock: DatabaseLock? = nil) async throws -> SQLiteExperimentStore {
        let store = SQLiteExperimentStore(path: path)
        await store.hold(lock)
        do {
            try await store.setUp(durability: durability)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private func hold(_ lock: DatabaseLock?) { self.lock = lock }

    private func setUp(durability: Durability) throws {
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA journal_mode = WAL")
        try database.execute("PRAGMA synchronous = \(durability.rawValue)")
        try SQLiteSchema.migrate(database)
        self.database = database
    }

    private func requireDatabase() throws -> SQLiteDatabase {
        guard let database else { throw ExperimentStoreError(.closed, path: path, "the store is closed") }
        return database
    }

    /// Runs `body` in one transaction and commits; on any error rolls back and rethrows.
    /// Returns the body's value and the outbox entries it wrote.
    package func transaction<T: Sendable>(
        _ body: @Sendable (SQLiteTransaction) throws -> T
    ) throws -> (value: T, enqueued: [OutboxEntry]) {
        let database = try requireDatabase()
        try database.execute("BEGIN IMMEDIATE")
        let transaction = SQLiteTransaction(database: database, traceCoding: traceCoding)
        do {
            let value = try body(transaction)
            try transaction.flush()
            try database.execute("COMMIT")
            return (value, transaction.enqueued)
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// One orchestrator per file: nothing to lock beyond the transaction itself.
    package func transaction<T: Sendable>(
        locking experimentIDs: [String], _ body: @Sendable (any ExperimentStoreTransaction) throws -> T
    ) throws -> (value: T, enqueued: [OutboxEntry]) {
        try transaction { try body($0) }
    }

    /// The whole outbox on the first call (what the previous run left unconfirmed), then
    /// nothing: every later entry is this process's own, already in its publisher.
    package func claimOutbox(limit: Int) throws -> [OutboxEntry] {
        guard !outboxClaimed else { return [] }
        let entries = try pendingOutbox()
        outboxClaimed = true
        return entries
    }

    /// No other orchestrator shares the file (``DatabaseLock``): nobody to tell.
    package func heartbeat() {}

    /// Outbox entries not yet confirmed by the broker, oldest first: what a restarted
    /// orchestrator must publish before anything else.
    package func pendingOutbox() throws -> [OutboxEntry] {
        let statement = try requireDatabase().statement("SELECT \(StoredRecords.outboxColumns) FROM outbox ORDER BY id")
        try statement.bind([])
        defer { statement.reset() }
        var entries: [OutboxEntry] = []
        while try statement.step() {
            if let entry = try StoredRecords.outboxEntry(from: statement, traceCoding: traceCoding) { entries.append(entry) }
        }
        return entries
    }

    /// Removes confirmed entries.
    package func removeFromOutbox(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        let database = try requireDatabase()
        try database.execute("BEGIN IMMEDIATE")
        do {
            let statement = try database.statement("DELETE FROM outbox WHERE id = ?1")
            for id in ids { try statement.run([.integer(id)]) }
            try database.execute("COMMIT")
        } catch {
            try? database.execute("ROLLBACK")
            throw error
        }
    }

    /// The stored state of one experiment, for status queries.
    package func experiment(id: String) throws -> ExperimentRecord? {
        try SQLiteTransaction(database: requireDatabase(), traceCoding: traceCoding).experiment(id: id)
    }

    /// The newest experiments first, optionally only those in `state`, for `tributary list`.
    package func recentExperiments(state: ExperimentState?, limit: Int, offset: Int) throws -> [ExperimentRecord] {
        try SQLiteTransaction(database: requireDatabase(), traceCoding: traceCoding).recentExperiments(state: state, limit: limit, offset: offset)
    }

    /// How many experiments are in each state (states with none are absent), for the `tributary_experiments` gauge.
    package func experimentCountsByState() throws -> [ExperimentState: Int] {
        let statement = try requireDatabase().statement(SQLiteTransaction.statements.experimentCountsByState)
        try statement.bind([])
        defer { statement.reset() }
        var counts: [ExperimentState: Int] = [:]
        while try statement.step() {
            if let state = ExperimentState(rawValue: try statement.text("state")) { counts[state] = Int(try statement.integer("count")) }
        }
        return counts
    }

    package func batchStateCounts(experimentID: String, cellSize: Int) throws -> [BatchStateCount] {
        let statement = try requireDatabase().statement(SQLiteTransaction.statements.batchStateCounts)
        try statement.bind([.text(experimentID), .integer(Int64(max(cellSize, 1)))])
        defer { statement.reset() }
        var counts: [BatchStateCount] = []
        while try statement.step() {
            guard let state = BatchStatus.State(rawValue: try statement.text("state")) else { continue }
            counts.append(BatchStateCount(cell: Int(try statement.integer("cell")), state: state, count: Int(try statement.integer("count"))))
        }
        return counts
    }

    /// The experiment's batches in `states`, lowest index first, for status details.
    package func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) throws -> [BatchRecord] {
        try SQLiteTransaction(database: requireDatabase(), traceCoding: traceCoding).batches(experimentID: experimentID, in: states, limit: limit)
    }

    package func cacheStatistics() throws -> [CacheReply.AnalyserEntries] {
        let statement = try requireDatabase().statement(SQLiteTransaction.statements.cacheStatistics)
        try statement.bind([])
        defer { statement.reset() }
        var entries: [CacheReply.AnalyserEntries] = []
        while try statement.step() { entries.append(try StoredStatements.analyserEntries(from: statement)) }
        return entries
    }

    package func purgeCache(analyser: String?, olderThan: Date?) throws -> Int {
        let database = try requireDatabase()
        let (sql, values) = SQLiteTransaction.statements.purgeCache(analyser: analyser, olderThan: olderThan)
        try database.statement(sql).run(values)
        return database.changes
    }

    /// When the earliest timer (a batch's or a step's) is due; nil when none is set.
    package func nextTimerDue() throws -> Date? {
        let statement = try requireDatabase().statement(SQLiteTransaction.statements.nextTimerDue)
        try statement.bind([])
        defer { statement.reset() }
        guard try statement.step(), try !statement.isNull("due") else { return nil }
        return Date(timeIntervalSince1970: try statement.real("due"))
    }

    /// A SQLite call that failed is the file's or the disk's doing (full, I/O, locked), and
    /// so is a store that is closed or corrupt: none of it is a message's fault.
    package nonisolated func isStoreFailure(_ error: any Error) -> Bool {
        error is SQLiteError || error is ExperimentStoreError
    }

    package func close() {
        database?.close()
        database = nil
        lock = nil
        executor.stop()
    }
}
