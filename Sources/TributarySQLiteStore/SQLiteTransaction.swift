import Foundation
import TributaryCore
import TributaryStore

/// The orchestrator's view of one SQLite transaction. Valid only inside
/// ``SQLiteExperimentStore/transaction(_:)``.
package final class SQLiteTransaction: ExperimentStoreTransaction {
    private let database: SQLiteDatabase
    private let traceCoding: TraceHeaderCoding
    /// Outbox rows written in this transaction, handed to the publisher after commit.
    private(set) var enqueued: [OutboxEntry] = []
    /// Records read or saved here: each written once, at ``flush()``.
    private var records = RecordWriteBack()
    static let statements = StoredStatements(.sqlite)

    init(database: SQLiteDatabase, traceCoding: TraceHeaderCoding) {
        self.database = database
        self.traceCoding = traceCoding
    }

    // MARK: Experiments

    private static let experimentColumns = StoredRecords.experimentColumns

    package func experiment(id: String) throws -> ExperimentRecord? {
        if let cached = records[id] { return cached }
        let statement = try database.statement(Self.statements.selectExperiment)
        try statement.bind([.text(id)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        let record = try experiment(from: statement)
        records.read(record)
        return record
    }

    /// Writes the records saved since the last flush. The store calls it before commit;
    /// queries that read experiment rows in SQL call it first.
    func flush() throws {
        for record in records.takeChanged() { try write(record, sql: Self.statements.updateExperiment) }
    }

    package func dueExperiments(at now: Date, limit: Int) throws -> [ExperimentRecord] {
        try flush()
        let statement = try database.statement(
            "SELECT \(Self.experimentColumns) FROM experiments WHERE step_due_at IS NOT NULL AND step_due_at <= ?1 ORDER BY step_due_at LIMIT ?2")
        try statement.bind([.real(now.timeIntervalSince1970), .integer(Int64(limit))])
        defer { statement.reset() }
        var records: [ExperimentRecord] = []
        while try statement.step() { records.append(try experiment(from: statement)) }
        return records
    }

    /// The newest experiments first, optionally only those in `state`.
    package func recentExperiments(state: ExperimentState?, limit: Int, offset: Int = 0) throws -> [ExperimentRecord] {
        try flush()
        let statement = try database.statement(Self.statements.recentExperiments(filtered: state != nil))
        try statement.bind(Self.statements.recentExperimentsValues(state: state, limit: limit, offset: offset))
        defer { statement.reset() }
        var records: [ExperimentRecord] = []
        while try statement.step() { records.append(try experiment(from: statement)) }
        return records
    }

    private func experiment(from row: SQLiteStatement) throws -> ExperimentRecord {
        try StoredRecords.experiment(from: row, traceCoding: traceCoding)
    }

    package func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        try database.statement(Self.statements.insertSpec).run([.text(record.id), .blob(spec)])
        try write(record, sql: Self.statements.insertExperiment)
        records.written(record)
    }

    package func save(_ record: ExperimentRecord) throws {
        records.save(record)
    }

    private func write(_ record: ExperimentRecord, sql: String) throws {
        try database.statement(sql).run(try StoredRecords.values(of: record, traceCoding: traceCoding))
    }

    package func spec(experimentID: String) throws -> [UInt8]? {
        let statement = try database.statement(Self.statements.selectSpec)
        try statement.bind([.text(experimentID)])
        defer { statement.reset() }
        return try statement.step() ? statement.bytes("spec") : nil
    }

    // MARK: Batches

    private static let batchColumns = StoredRecords.batchColumns

    package func createBatches(experimentID: String, startingAt first: Int, tasks: [[UInt8]]) throws {
        let batch = try database.statement("INSERT INTO batches (\(Self.batchColumns)) VALUES (?1, ?2, 'pending', 0, NULL, NULL, NULL, NULL)")
        let planned = try database.statement("INSERT INTO batch_tasks (experiment_id, batch_index, task) VALUES (?1, ?2, ?3)")
        for (offset, task) in tasks.enumerated() {
            let index = first + offset
            try batch.run([.text(experimentID), .integer(Int64(index))])
            try planned.run([.text(experimentID), .integer(Int64(index)), .blob(task)])
        }
    }

    package func batch(experimentID: String, index: Int) throws -> BatchRecord? {
        try queryBatches("WHERE experiment_id = ?1 AND batch_index = ?2", [.text(experimentID), .integer(Int64(index))]).first
    }

    package func save(_ batch: BatchRecord) throws {
        try database.statement(
            """
            UPDATE batches SET state = ?3, attempt = ?4, dispatched_at = ?5, due_at = ?6, worker_id = ?7, last_error = ?8
            WHERE experiment_id = ?1 AND batch_index = ?2
            """
        ).run([.text(batch.experimentID), .integer(Int64(batch.index))] + StoredRecords.values(of: batch))
    }

    package func batchTask(experimentID: String, index: Int) throws -> [UInt8]? {
        let statement = try database.statement("SELECT task FROM batch_tasks WHERE experiment_id = ?1 AND batch_index = ?2")
        try statement.bind([.text(experimentID), .integer(Int64(index))])
        defer { statement.reset() }
        return try statement.step() ? statement.bytes("task") : nil
    }

    package func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> BatchStatus.State? {
        // The state guard makes this the distinctness check: a batch leaves dispatched or
        // retry_wait once; a second result for it changes nothing.
        for previous in [BatchStatus.State.dispatched, .retryWait] {
            try database.statement(
                """
                UPDATE batches SET state = 'succeeded', due_at = NULL, result = ?3
                WHERE experiment_id = ?1 AND batch_index = ?2 AND state = ?4
                """
            ).run([.text(experimentID), .integer(Int64(batchIndex)), .blob(result), .text(previous.rawValue)])
            if database.changes == 1 { return previous }
        }
        return nil
    }

    package func forEachBatchResult(experimentID: String, _ body: ([UInt8]) throws -> Void) throws {
        let statement = try database.statement("SELECT result FROM batches WHERE experiment_id = ?1 AND state = 'succeeded' ORDER BY batch_index")
        try statement.bind([.text(experimentID)])
        defer { statement.reset() }
        while try statement.step() { try body(statement.bytes("result")) }
    }

    package func pendingBatches(experimentID: String, limit: Int) throws -> [BatchRecord] {
        // Spelled out, not `state IN (…)`: only then can SQLite use the partial index.
        try queryBatches(
            "WHERE experiment_id = ?1 AND state = 'pending' ORDER BY batch_index LIMIT ?2", [.text(experimentID), .integer(Int64(limit))])
    }

    package func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) throws -> [BatchRecord] {
        let (sql, values) = Self.statements.batches(experimentID: experimentID, in: states, limit: limit)
        return try queryBatches(sql: sql, values)
    }

    package func dueBatches(at now: Date, limit: Int) throws -> [BatchRecord] {
        try queryBatches("WHERE due_at IS NOT NULL AND due_at <= ?1 ORDER BY due_at LIMIT ?2", [.real(now.timeIntervalSince1970), .integer(Int64(limit))])
    }

    package func clearBatchTimers(experimentID: String) throws {
        try database.statement(Self.statements.clearBatchTimers).run([.text(experimentID)])
    }

    private func queryBatches(_ clause: String, _ values: [StoredValue]) throws -> [BatchRecord] {
        try queryBatches(sql: "SELECT \(Self.batchColumns) FROM batches \(clause)", values)
    }

    private func queryBatches(sql: String, _ values: [StoredValue]) throws -> [BatchRecord] {
        let statement = try database.statement(sql)
        try statement.bind(values)
        defer { statement.reset() }
        var batches: [BatchRecord] = []
        while try statement.step() { batches.append(try StoredRecords.batch(from: statement)) }
        return batches
    }

    // MARK: Outbox

    package func enqueue(_ message: OutboundMessage) throws {
        try database.statement(
            """
            INSERT INTO outbox (destination, routing_key, message_id, correlation_id, type, headers, body, trace_headers)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """
        ).run([
            .text(message.destination.rawValue), .text(message.routingKey), .text(message.messageID),
            .text(message.correlationID), .text(message.type),
            .blob(try StoredRecords.encode(headers: message.headers)), .blob(message.body), try traceCoding.encode(message.traceHeaders),
        ])
        enqueued.append(OutboxEntry(id: database.lastInsertRowID, message: message))
    }

    // MARK: Result cache

    package func cachedAnalyses(keys: [String]) throws -> [String: CachedAnalysis] {
        let statement = try database.statement("SELECT \(StoredStatements.cacheColumns) FROM analysis_cache WHERE key = ?1")
        var found: [String: CachedAnalysis] = [:]
        for key in keys {
            try statement.bind([.text(key)])
            defer { statement.reset() }
            if try statement.step() { found[key] = try StoredStatements.cachedAnalysis(from: statement) }
        }
        return found
    }

    package func storeCachedAnalyses(_ entries: [CachedAnalysis], replace: Bool) throws {
        let statement = try database.statement(Self.statements.insertCachedAnalysis(replace: replace))
        for entry in entries { try statement.run(StoredStatements.values(of: entry)) }
    }

    package func saveCachePlan(experimentID: String, batchIndex: Int, plan: [UInt8]) throws {
        try database.statement(Self.statements.saveCachePlan).run([.text(experimentID), .integer(Int64(batchIndex)), .blob(plan)])
    }

    package func cachePlan(experimentID: String, batchIndex: Int) throws -> [UInt8]? {
        let statement = try database.statement(Self.statements.selectCachePlan)
        try statement.bind([.text(experimentID), .integer(Int64(batchIndex))])
        defer { statement.reset() }
        return try statement.step() ? statement.bytes("plan") : nil
    }

    package func completeFromCache(experimentID: String, batchIndex: Int, result: [UInt8]) throws {
        try database.statement(Self.statements.completeFromCache).run([.text(experimentID), .integer(Int64(batchIndex)), .blob(result)])
    }

    // MARK: Model rates

    package func modelRate(model: String) throws -> ModelRateState? {
        let statement = try database.statement("SELECT state FROM model_rates WHERE model = ?1")
        try statement.bind([.text(model)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return try StoredRecords.modelRate(from: statement.bytes("state"))
    }

    package func saveModelRate(_ state: ModelRateState, model: String) throws {
        try database.statement("INSERT INTO model_rates (model, state) VALUES (?1, ?2) ON CONFLICT (model) DO UPDATE SET state = excluded.state")
            .run([.text(model), .blob(try StoredRecords.encode(modelRate: state))])
    }
}
