import Foundation
import NIOCore
import PostgresNIO
import TributaryCore
import TributaryStore

/// The orchestrator's view of one PostgreSQL transaction. Valid only inside
/// ``PostgresExperimentStore/transaction(locking:_:)``.
///
/// Several orchestrators write the same tables, so every change to an experiment or its
/// batches happens with the experiment's row locked (`FOR UPDATE`) until commit: whoever
/// counts a batch, enters synthesis or fires a timer has the experiment to itself, and the
/// next orchestrator sees what it committed. Timers take only experiments nobody holds
/// (`SKIP LOCKED`), so a timer fires once however many orchestrators look.
final class PostgresTransaction: ExperimentStoreTransaction {
    private let session: PostgresSession
    private let owner: String
    private let traceCoding: TraceHeaderCoding
    /// Outbox rows written in this transaction, handed to the publisher after commit.
    private(set) var enqueued: [OutboxEntry] = []
    /// Messages enqueued and not yet written: written together at ``flush()``.
    private var outgoing: [OutboundMessage] = []
    /// Records read or saved here (all of them locked), and which changed: a group commit
    /// writes each experiment once, at ``flush()``.
    private var records = RecordWriteBack()
    static let statements = StoredStatements(.postgres)
    /// Experiments whose row this transaction holds.
    private var locked: Set<String> = []
    /// Batch rows saved and not yet written: written together, in one statement, before any
    /// statement that reads batches and before commit. Every statement is a round trip, and a
    /// group commit saves a batch for nearly every result.
    private var batchWrites: [BatchKey: BatchRecord] = [:]
    /// Results recorded and not yet written: written with ``batchWrites``, whose rows they are.
    private var resultWrites: [BatchKey: [UInt8]] = [:]
    /// Batch rows as they are in the database, read ahead for the results of a group
    /// (``expectResults(experimentID:batchIndices:)``); the experiment's lock keeps them so.
    private var batchesRead: [BatchKey: BatchRecord] = [:]
    /// Pending batches read ahead, lowest index first (from `head` on), and whether they were
    /// all the experiment's pending batches: each result of a large experiment sends the next.
    private var pendingAhead: [String: PendingAhead] = [:]
    /// Planned tasks read ahead for the pending batches next in line (tasks never change).
    private var tasksAhead: [BatchKey: [UInt8]] = [:]

    private struct BatchKey: Hashable {
        var experimentID: String
        var index: Int
    }

    private struct PendingAhead {
        var batches: [BatchRecord]
        var head = 0
        var complete: Bool
        var remaining: ArraySlice<BatchRecord> { batches[head...] }
    }

    /// How many pending batches one read takes at least, and how many tasks.
    static let pendingReadAhead = 64
    static let tasksReadAhead = 16

    init(session: PostgresSession, owner: String, traceCoding: TraceHeaderCoding) {
        self.session = session
        self.owner = owner
        self.traceCoding = traceCoding
    }

    private static let experimentColumns = StoredRecords.experimentColumns

    /// Locks the experiments that exist among `ids`, in id order: two orchestrators locking
    /// overlapping sets queue behind each other instead of deadlocking.
    func lock(_ ids: [String]) throws {
        let wanted = Set(ids).subtracting(locked).sorted()
        guard !wanted.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(wanted)
        try remember(
            session.run(PostgresQuery(unsafeSQL: "SELECT \(Self.experimentColumns) FROM experiments WHERE id = ANY($1) ORDER BY id FOR UPDATE", binds: binds)))
    }

    private func remember(_ rows: PostgresQueryResult) throws {
        for row in rows {
            let record = try StoredRecords.experiment(from: PostgresStoredRow(row), traceCoding: traceCoding)
            locked.insert(record.id)
            records.read(record)
        }
    }

    /// Every batch change goes through here first: the experiment's lock guards its batches.
    private func requireLock(_ experimentID: String) throws {
        if !locked.contains(experimentID) { _ = try experiment(id: experimentID) }
    }

    // MARK: Experiments

    func experiment(id: String) throws -> ExperimentRecord? {
        if let cached = records[id] { return cached }
        try remember(session.run(Self.statements.selectExperiment + " FOR UPDATE", [.text(id)]))
        return records[id]
    }

    func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        // A concurrent orchestrator creating the same experiment waits on the key, then fails
        // with 23505; the store runs its transaction again, and it finds this one.
        try session.run(Self.statements.insertSpec, [.text(record.id), .blob(spec)])
        try session.run(Self.statements.insertExperiment, try StoredRecords.values(of: record, traceCoding: traceCoding))
        records.written(record)
        locked.insert(record.id)
    }

    func save(_ record: ExperimentRecord) throws {
        try requireLock(record.id)
        records.save(record)
    }

    /// Writes the records saved and the messages enqueued since the last flush. The store
    /// calls it before commit; queries that read experiment rows in SQL call it first.
    func flush() throws {
        try flushBatchWrites()
        for record in records.takeChanged() {
            try session.run(Self.statements.updateExperiment, try StoredRecords.values(of: record, traceCoding: traceCoding))
        }
        try writeOutgoing()
    }

    func spec(experimentID: String) throws -> [UInt8]? {
        try session.run(Self.statements.selectSpec, [.text(experimentID)]).first.map { try PostgresStoredRow($0).bytes("spec") }
    }

    func dueExperiments(at now: Date, limit: Int) throws -> [ExperimentRecord] {
        try flush()
        let rows = try session.run(
            """
            SELECT \(Self.experimentColumns) FROM experiments WHERE step_due_at IS NOT NULL AND step_due_at <= $1
            ORDER BY step_due_at LIMIT $2 FOR UPDATE SKIP LOCKED
            """, [.real(now.timeIntervalSince1970), .integer(Int64(limit))])
        try remember(rows)
        return try rows.compactMap { records[try PostgresStoredRow($0).text("id")] }
    }

    // MARK: Batches

    func createBatches(experimentID: String, startingAt first: Int, tasks: [[UInt8]]) throws {
        guard !tasks.isEmpty else { return }
        try requireLock(experimentID)
        pendingAhead[experimentID] = nil
        let last = first + tasks.count - 1
        try session.run(
            """
            INSERT INTO batches (\(StoredRecords.batchColumns))
            SELECT $1, i, 'pending', 0, NULL, NULL, NULL, NULL FROM generate_series($2::bigint, $3::bigint) AS i
            """, [.text(experimentID), .integer(Int64(first)), .integer(Int64(last))])
        var binds = PostgresBindings()
        binds.append(experimentID)
        binds.append(Int64(first))
        binds.append(tasks.map { ByteBuffer(bytes: $0) })
        try session.run(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO batch_tasks (experiment_id, batch_index, task)
                    SELECT $1, $2 + ordinality - 1, task FROM unnest($3::bytea[]) WITH ORDINALITY AS planned (task, ordinality)
                    """, binds: binds))
    }

    func batch(experimentID: String, index: Int) throws -> BatchRecord? {
        try requireLock(experimentID)
        let key = BatchKey(experimentID: experimentID, index: index)
        if let known = batchWrites[key] ?? batchesRead[key] { return known }
        // Not saved here, so the row is current: no need to write the others first.
        return try queryBatches(
            "WHERE experiment_id = $1 AND batch_index = $2", [.text(experimentID), .integer(Int64(index))], writingSavedFirst: false
        ).first
    }

    func save(_ batch: BatchRecord) throws {
        try requireLock(batch.experimentID)
        batchWrites[BatchKey(experimentID: batch.experimentID, index: batch.index)] = batch
        guard var ahead = pendingAhead[batch.experimentID] else { return }
        if batch.state == .pending {
            // Back to pending (a re-run): the order read ahead no longer holds.
            pendingAhead[batch.experimentID] = nil
        } else if ahead.remaining.first?.index == batch.index {
            ahead.head += 1
            pendingAhead[batch.experimentID] = ahead
        } else if ahead.remaining.contains(where: { $0.index == batch.index }) {
            ahead.batches = Array(ahead.remaining.filter { $0.index != batch.index })
            ahead.head = 0
            pendingAhead[batch.experimentID] = ahead
        }
    }

    /// Writes every batch saved or result recorded since the last write, in one statement.
    private func flushBatchWrites() throws {
        guard !batchWrites.isEmpty else { return }
        let writes = batchWrites.values.sorted { ($0.experimentID, $0.index) < ($1.experimentID, $1.index) }
        let results = writes.map { resultWrites[BatchKey(experimentID: $0.experimentID, index: $0.index)] }
        for batch in writes { batchesRead[BatchKey(experimentID: batch.experimentID, index: batch.index)] = batch }
        batchWrites.removeAll(keepingCapacity: true)
        resultWrites.removeAll(keepingCapacity: true)
        var binds = PostgresBindings()
        binds.append(writes.map(\.experimentID))
        binds.append(writes.map { Int64($0.index) })
        binds.append(writes.map(\.state.rawValue))
        binds.append(writes.map { Int64($0.attempt) })
        // Arrays of optionals don't encode: NaN and a flag stand for NULL.
        binds.append(writes.map { $0.dispatchedAt?.timeIntervalSince1970 ?? .nan })
        binds.append(writes.map { $0.dueAt?.timeIntervalSince1970 ?? .nan })
        binds.append(writes.map { $0.workerID.map(PostgresBindings.storable) ?? "" })
        binds.append(writes.map { $0.workerID == nil })
        binds.append(writes.map { $0.lastError.map(PostgresBindings.storable) ?? "" })
        binds.append(writes.map { $0.lastError == nil })
        binds.append(results.map { ByteBuffer(bytes: $0 ?? []) })
        binds.append(results.map { $0 != nil })
        try session.run(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE batches AS b SET state = u.state, attempt = u.attempt,
                        dispatched_at = NULLIF(u.dispatched_at, 'NaN'), due_at = NULLIF(u.due_at, 'NaN'),
                        worker_id = CASE WHEN u.no_worker THEN NULL ELSE u.worker_id END,
                        last_error = CASE WHEN u.no_error THEN NULL ELSE u.last_error END,
                        result = CASE WHEN u.has_result THEN u.result ELSE b.result END
                    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::text[], $8::bool[],
                        $9::text[], $10::bool[], $11::bytea[], $12::bool[])
                        AS u (experiment_id, batch_index, state, attempt, dispatched_at, due_at, worker_id, no_worker, last_error, no_error,
                            result, has_result)
                    WHERE b.experiment_id = u.experiment_id AND b.batch_index = u.batch_index
                    """, binds: binds))
    }

    func batchTask(experimentID: String, index: Int) throws -> [UInt8]? {
        let key = BatchKey(experimentID: experimentID, index: index)
        if let task = tasksAhead.removeValue(forKey: key) { return task }
        // Batches are sent in order: read this task and those of the next few in line.
        let next = pendingAhead[experimentID].map { $0.remaining.prefix(Self.tasksReadAhead).map(\.index) } ?? []
        var binds = PostgresBindings()
        binds.append(experimentID)
        binds.append(([index] + next.filter { $0 != index }).map { Int64($0) })
        let rows = try session.run(
            PostgresQuery(unsafeSQL: "SELECT batch_index, task FROM batch_tasks WHERE experiment_id = $1 AND batch_index = ANY($2)", binds: binds))
        for row in rows {
            let stored = PostgresStoredRow(row)
            tasksAhead[BatchKey(experimentID: experimentID, index: Int(try stored.integer("batch_index")))] = try stored.bytes("task")
        }
        return tasksAhead.removeValue(forKey: key)
    }

    func expectResults(experimentID: String, batchIndices: [Int]) throws {
        try requireLock(experimentID)
        let wanted = Set(batchIndices).filter {
            let key = BatchKey(experimentID: experimentID, index: $0)
            return batchWrites[key] == nil && batchesRead[key] == nil
        }
        guard !wanted.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(experimentID)
        binds.append(wanted.sorted().map { Int64($0) })
        // Unwritten saves are newer than their rows, and were left out above.
        let rows = try session.run(
            PostgresQuery(
                unsafeSQL: "SELECT \(StoredRecords.batchColumns) FROM batches WHERE experiment_id = $1 AND batch_index = ANY($2)", binds: binds))
        for row in rows {
            let batch = try StoredRecords.batch(from: PostgresStoredRow(row))
            batchesRead[BatchKey(experimentID: batch.experimentID, index: batch.index)] = batch
        }
    }

    func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> BatchStatus.State? {
        try requireLock(experimentID)
        let key = BatchKey(experimentID: experimentID, index: batchIndex)
        if var known = batchWrites[key] ?? batchesRead[key] {
            // Known as it stands under the lock: judged here, written with the group's saves.
            let previous = known.state
            guard previous == .dispatched || previous == .retryWait else { return nil }
            known.state = .succeeded
            known.dueAt = nil
            batchWrites[key] = known
            resultWrites[key] = result
            return previous
        }
        // The state guard makes this the distinctness check, as on SQLite: a batch leaves
        // dispatched or retry_wait once, and the experiment's lock orders the attempts.
        let rows = try session.run(
            """
            UPDATE batches AS b SET state = 'succeeded', due_at = NULL, result = $3
            FROM (SELECT state FROM batches WHERE experiment_id = $1 AND batch_index = $2) AS before
            WHERE b.experiment_id = $1 AND b.batch_index = $2 AND b.state IN ('dispatched', 'retry_wait')
            RETURNING before.state AS previous
            """, [.text(experimentID), .integer(Int64(batchIndex)), .blob(result)])
        return try rows.first.flatMap { BatchStatus.State(rawValue: try PostgresStoredRow($0).text("previous")) }
    }

    /// Pages of 1,000 in batch order: a fan-in of 100,000 batches is never held whole.
    func forEachBatchResult(experimentID: String, _ body: ([UInt8]) throws -> Void) throws {
        try flushBatchWrites()
        var after: Int64 = -1
        while true {
            let rows = try session.run(
                """
                SELECT batch_index, result FROM batches WHERE experiment_id = $1 AND state = 'succeeded' AND batch_index > $2
                ORDER BY batch_index LIMIT 1000
                """, [.text(experimentID), .integer(after)])
            for row in rows {
                let stored = PostgresStoredRow(row)
                after = try stored.integer("batch_index")
                try body(try stored.bytes("result"))
            }
            if rows.count < 1000 { return }
        }
    }

    func pendingBatches(experimentID: String, limit: Int) throws -> [BatchRecord] {
        try requireLock(experimentID)
        if let ahead = pendingAhead[experimentID], ahead.complete || ahead.remaining.count >= limit {
            return Array(ahead.remaining.prefix(limit))
        }
        let wanted = max(limit, Self.pendingReadAhead)
        let batches = try queryBatches(
            "WHERE experiment_id = $1 AND state = 'pending' ORDER BY batch_index LIMIT $2",
            [.text(experimentID), .integer(Int64(min(wanted, Int(Int64.max))))])
        pendingAhead[experimentID] = PendingAhead(batches: batches, complete: batches.count < wanted)
        return Array(batches.prefix(limit))
    }

    func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) throws -> [BatchRecord] {
        try flushBatchWrites()
        let (sql, values) = Self.statements.batches(experimentID: experimentID, in: states, limit: limit)
        return try session.run(sql, values).map { try StoredRecords.batch(from: PostgresStoredRow($0)) }
    }

    func dueBatches(at now: Date, limit: Int) throws -> [BatchRecord] {
        try flushBatchWrites()
        let due = StoredValue.real(now.timeIntervalSince1970)
        // Find whose timers are due, take those experiments nobody holds, and only then read
        // their due batches: read before the lock, a batch could have been fired meanwhile.
        let candidates = try session.run(
            "SELECT experiment_id FROM batches WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2", [due, .integer(Int64(limit))])
        let ids = Set(try candidates.map { try PostgresStoredRow($0).text("experiment_id") }).subtracting(locked).sorted()
        if !ids.isEmpty {
            var binds = PostgresBindings()
            binds.append(ids)
            try remember(
                session.run(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(Self.experimentColumns) FROM experiments WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED",
                        binds: binds)))
        }
        guard !locked.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(due)
        binds.append(Int64(limit))
        binds.append(locked.sorted())
        let rows = try session.run(
            PostgresQuery(
                unsafeSQL:
                    "SELECT \(StoredRecords.batchColumns) FROM batches WHERE due_at IS NOT NULL AND due_at <= $1 AND experiment_id = ANY($3) ORDER BY due_at LIMIT $2",
                binds: binds))
        return try rows.map { try StoredRecords.batch(from: PostgresStoredRow($0)) }
    }

    func clearBatchTimers(experimentID: String) throws {
        try requireLock(experimentID)
        try flushBatchWrites()
        try session.run(Self.statements.clearBatchTimers, [.text(experimentID)])
        for (key, var batch) in batchesRead where key.experimentID == experimentID && batch.dueAt != nil {
            batch.dueAt = nil
            batchesRead[key] = batch
        }
    }

    private func queryBatches(_ clause: String, _ values: [StoredValue], writingSavedFirst: Bool = true) throws -> [BatchRecord] {
        if writingSavedFirst { try flushBatchWrites() }
        return try session.run("SELECT \(StoredRecords.batchColumns) FROM batches \(clause)", values).map {
            try StoredRecords.batch(from: PostgresStoredRow($0))
        }
    }

    // MARK: Outbox

    func enqueue(_ message: OutboundMessage) throws {
        outgoing.append(message)
    }

    /// Locks the model's row for the rest of the transaction, so orchestrators take its
    /// tokens one after another. A model's first use inserts an empty row to lock: two
    /// orchestrators starting on it together queue on that row instead of both filling a
    /// fresh bucket.
    // MARK: Result cache

    func cachedAnalyses(keys: [String]) throws -> [String: CachedAnalysis] {
        var found: [String: CachedAnalysis] = [:]
        // In pages: one statement per page, not per document.
        for first in stride(from: 0, to: keys.count, by: 1_000) {
            var binds = PostgresBindings()
            binds.append(Array(keys[first..<min(first + 1_000, keys.count)]))
            let rows = try session.run(
                PostgresQuery(unsafeSQL: "SELECT \(StoredStatements.cacheColumns) FROM analysis_cache WHERE key = ANY($1::text[])", binds: binds))
            for row in rows {
                let entry = try StoredStatements.cachedAnalysis(from: PostgresStoredRow(row))
                found[entry.key] = entry
            }
        }
        return found
    }

    func storeCachedAnalyses(_ entries: [CachedAnalysis], replace: Bool) throws {
        guard !entries.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(entries.map(\.key))
        binds.append(entries.map(\.analyser))
        binds.append(entries.map { PostgresBindings.storable($0.documentID) })
        binds.append(entries.map { ByteBuffer(bytes: $0.result) })
        binds.append(entries.map { Int64($0.inputTokens) })
        binds.append(entries.map { Int64($0.outputTokens) })
        binds.append(entries.map(\.cost))
        binds.append(entries.map(\.createdAt.timeIntervalSince1970))
        binds.append(entries.map(\.experimentID))
        let conflict = StoredStatements.cacheConflict(replace: replace)
        try session.run(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO analysis_cache (\(StoredStatements.cacheColumns))
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::bigint[], $7::float8[], $8::float8[],
                        $9::text[])
                    ON CONFLICT (key) \(conflict)
                    """, binds: binds))
    }

    func saveCachePlan(experimentID: String, batchIndex: Int, plan: [UInt8]) throws {
        try session.run(Self.statements.saveCachePlan, [.text(experimentID), .integer(Int64(batchIndex)), .blob(plan)])
    }

    func cachePlan(experimentID: String, batchIndex: Int) throws -> [UInt8]? {
        try session.run(Self.statements.selectCachePlan, [.text(experimentID), .integer(Int64(batchIndex))]).first.map {
            try PostgresStoredRow($0).bytes("plan")
        }
    }

    func completeFromCache(experimentID: String, batchIndex: Int, result: [UInt8]) throws {
        try requireLock(experimentID)
        try flushBatchWrites()
        try session.run(Self.statements.completeFromCache, [.text(experimentID), .integer(Int64(batchIndex)), .blob(result)])
    }

    func modelRate(model: String) throws -> ModelRateState? {
        try session.run("INSERT INTO model_rates (model, state) VALUES ($1, $2) ON CONFLICT (model) DO NOTHING", [.text(model), .blob([])])
        let rows = try session.run("SELECT state FROM model_rates WHERE model = $1 FOR UPDATE", [.text(model)])
        guard let row = rows.first else { return nil }
        let bytes = try PostgresStoredRow(row).bytes("state")
        return bytes.isEmpty ? nil : try StoredRecords.modelRate(from: bytes)
    }

    func saveModelRate(_ state: ModelRateState, model: String) throws {
        try session.run(
            "INSERT INTO model_rates (model, state) VALUES ($1, $2) ON CONFLICT (model) DO UPDATE SET state = EXCLUDED.state",
            [.text(model), .blob(try StoredRecords.encode(modelRate: state))])
    }

    /// One statement for all the messages of the transaction, owned by this orchestrator.
    private func writeOutgoing() throws {
        guard !outgoing.isEmpty else { return }
        var binds = PostgresBindings()
        binds.append(owner)
        binds.append(outgoing.map(\.destination.rawValue))
        binds.append(outgoing.map(\.routingKey))
        binds.append(outgoing.map(\.messageID))
        binds.append(outgoing.map(\.correlationID))
        binds.append(outgoing.map(\.type))
        binds.append(try outgoing.map { ByteBuffer(bytes: try StoredRecords.encode(headers: $0.headers)) })
        binds.append(outgoing.map { ByteBuffer(bytes: $0.body) })
        binds.append(
            try outgoing.map { message -> ByteBuffer in
                if case .blob(let bytes) = try traceCoding.encode(message.traceHeaders) { return ByteBuffer(bytes: bytes) }
                return ByteBuffer()
            })
        let rows = try session.run(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO outbox (owner, destination, routing_key, message_id, correlation_id, type, headers, body, trace_headers)
                    SELECT $1, destination, routing_key, message_id, correlation_id, type, headers, body, trace_headers
                    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[], $9::bytea[])
                        WITH ORDINALITY AS message (destination, routing_key, message_id, correlation_id, type, headers, body, trace_headers, position)
                    ORDER BY position
                    RETURNING id
                    """, binds: binds))
        // Ids come from one sequence, drawn in insertion order.
        let ids = try rows.map { try PostgresStoredRow($0).integer("id") }.sorted()
        guard ids.count == outgoing.count else {
            throw ExperimentStoreError(.rejected, path: "outbox", "wrote \(ids.count) outbox rows for \(outgoing.count) messages")
        }
        enqueued += zip(ids, outgoing).map { OutboxEntry(id: $0, message: $1) }
        outgoing.removeAll()
    }
}
