import Foundation
import TributaryCore

/// The orchestrator's view of one SQLite transaction. Valid only inside
/// ``SQLiteExperimentStore/transaction(_:)``.
package final class SQLiteTransaction: ExperimentStoreTransaction {
    private let database: SQLiteDatabase
    /// Outbox rows written in this transaction, handed to the publisher after commit.
    private(set) var enqueued: [OutboxEntry] = []

    init(database: SQLiteDatabase) {
        self.database = database
    }

    package func experiment(id: String) throws -> ExperimentRecord? {
        let statement = try database.statement(
            """
            SELECT name, state, batch_count, batches_completed, duplicates_ignored, synthesis_requests,
                   warnings, failure, created_at, updated_at, report
            FROM experiments WHERE id = ?1
            """)
        try statement.bind([.text(id)])
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        guard let state = ExperimentState(rawValue: statement.text(1)) else {
            throw SQLiteError(code: 0, message: "unknown state '\(statement.text(1))'", operation: "read experiment \(id)")
        }
        return ExperimentRecord(
            id: id, name: statement.text(0), state: state,
            batchCount: Int(statement.int(2)), batchesCompleted: Int(statement.int(3)),
            duplicatesIgnored: Int(statement.int(4)), synthesisRequests: Int(statement.int(5)),
            warnings: try JSONDecoder().decode([String].self, from: Data(statement.blob(6))),
            failure: statement.isNull(7) ? nil : statement.text(7),
            createdAt: Date(timeIntervalSince1970: statement.double(8)),
            updatedAt: Date(timeIntervalSince1970: statement.double(9)),
            report: statement.isNull(10) ? nil : statement.blob(10))
    }

    package func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        try database.statement("INSERT INTO experiment_specs (id, spec) VALUES (?1, ?2)").run([.text(record.id), .blob(spec)])
        try write(
            record,
            sql: """
                INSERT INTO experiments (id, name, state, batch_count, batches_completed, duplicates_ignored, synthesis_requests,
                                         warnings, failure, created_at, updated_at, report)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """)
    }

    package func save(_ record: ExperimentRecord) throws {
        try write(
            record,
            sql: """
                UPDATE experiments SET name = ?2, state = ?3, batch_count = ?4, batches_completed = ?5, duplicates_ignored = ?6,
                    synthesis_requests = ?7, warnings = ?8, failure = ?9, created_at = ?10, updated_at = ?11, report = ?12
                WHERE id = ?1
                """)
    }

    private func write(_ record: ExperimentRecord, sql: String) throws {
        try database.statement(sql).run([
            .text(record.id), .text(record.name), .text(record.state.rawValue),
            .integer(Int64(record.batchCount)), .integer(Int64(record.batchesCompleted)),
            .integer(Int64(record.duplicatesIgnored)), .integer(Int64(record.synthesisRequests)),
            .blob(Array(try JSONEncoder().encode(record.warnings))),
            record.failure.map { .text($0) } ?? .null,
            .real(record.createdAt.timeIntervalSince1970), .real(record.updatedAt.timeIntervalSince1970),
            record.report.map { .blob($0) } ?? .null,
        ])
    }

    package func spec(experimentID: String) throws -> [UInt8]? {
        let statement = try database.statement("SELECT spec FROM experiment_specs WHERE id = ?1")
        try statement.bind([.text(experimentID)])
        defer { statement.reset() }
        return try statement.step() ? statement.blob(0) : nil
    }

    package func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> Bool {
        // The primary key makes this the distinctness check: a second result for the batch changes nothing.
        try database.statement("INSERT OR IGNORE INTO batch_results (experiment_id, batch_index, result) VALUES (?1, ?2, ?3)")
            .run([.text(experimentID), .integer(Int64(batchIndex)), .blob(result)])
        return database.changes == 1
    }

    package func batchResults(experimentID: String) throws -> [[UInt8]] {
        let statement = try database.statement("SELECT result FROM batch_results WHERE experiment_id = ?1 ORDER BY batch_index")
        try statement.bind([.text(experimentID)])
        defer { statement.reset() }
        var results: [[UInt8]] = []
        while try statement.step() { results.append(statement.blob(0)) }
        return results
    }

    package func enqueue(_ message: OutboundMessage) throws {
        try database.statement(
            """
            INSERT INTO outbox (destination, routing_key, message_id, correlation_id, type, headers, body)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """
        ).run([
            .text(message.destination.rawValue), .text(message.routingKey), .text(message.messageID),
            .text(message.correlationID), .text(message.type),
            .blob(Array(try JSONEncoder().encode(message.headers))), .blob(message.body),
        ])
        enqueued.append(OutboxEntry(id: database.lastInsertRowID, message: message))
    }
}
