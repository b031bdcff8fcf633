import Foundation
import TributaryCore

/// How experiment and batch records map to columns: one layout, written and read the same
/// way by the SQLite and the PostgreSQL store.
package enum StoredRecords {
    package static let experimentColumns = """
        id, name, state, batch_count, batches_completed, duplicates_ignored, synthesis_requests, warnings, failure, created_at,
        updated_at, report, batches_failed, in_flight, retry_waiting, retries, run, last_progress_at, step_attempt,
        step_first_attempt, step_due_at, step_waiting, documents_planned, max_attempts, initial_backoff_ms, max_backoff_ms,
        task_timeout_ms, tolerance, max_in_flight, trace_context
        """

    /// The experiment columns, one name each, in ``experimentColumns`` order.
    package static let experimentColumnNames: [String] = experimentColumns.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    package static let batchColumns = "experiment_id, batch_index, state, attempt, dispatched_at, due_at, worker_id, last_error"

    // Read and written with every result; nearly always empty, and then no codec is needed.
    private static let noWarnings = Array("[]".utf8)

    /// The record's values in ``experimentColumns`` order.
    package static func values(of record: ExperimentRecord, traceCoding: TraceHeaderCoding) throws -> [StoredValue] {
        func date(_ value: Date?) -> StoredValue { value.map { .real($0.timeIntervalSince1970) } ?? .null }
        func int(_ value: Int) -> StoredValue { .integer(Int64(value)) }
        let warnings = record.warnings.isEmpty ? noWarnings : Array(try JSONEncoder().encode(record.warnings))
        return [
            .text(record.id), .text(record.name), .text(record.state.rawValue), int(record.batchCount), int(record.batchesCompleted),
            int(record.duplicatesIgnored), int(record.synthesisRequests), .blob(warnings),
            record.failure.map { .text($0) } ?? .null, date(record.createdAt), date(record.updatedAt),
            record.report.map { .blob($0) } ?? .null,
            int(record.batchesFailed), int(record.inFlight), int(record.retryWaiting), int(record.retries), int(record.run),
            date(record.lastProgressAt), int(record.stepAttempt), int(record.stepFirstAttempt), date(record.stepDueAt),
            int(record.stepWaiting ? 1 : 0), int(record.documentsPlanned), int(record.retry.maxAttempts),
            .integer(record.retry.initialBackoff.milliseconds), .integer(record.retry.maxBackoff.milliseconds),
            .integer(record.taskTimeout.milliseconds), .text(record.tolerance.description), int(record.maxInFlight),
            try traceCoding.encode(record.traceContext),
        ]
    }

    /// Reads a row selected with ``experimentColumns``.
    package static func experiment(from row: some StoredRow, traceCoding: TraceHeaderCoding) throws -> ExperimentRecord {
        let id = try row.text(0)
        guard let state = ExperimentState(rawValue: try row.text(2)) else {
            throw ExperimentStoreError(.corrupt, path: "experiments", "experiment \(id) has the unknown state '\(try row.text(2))'")
        }
        func int(_ column: Int) throws -> Int { Int(try row.integer(column)) }
        func date(_ column: Int) throws -> Date? { try row.isNull(column) ? nil : Date(timeIntervalSince1970: try row.real(column)) }
        let warningBytes = try row.bytes(7)
        return ExperimentRecord(
            id: id, name: try row.text(1), state: state, batchCount: try int(3), batchesCompleted: try int(4),
            batchesFailed: try int(12), inFlight: try int(13), retryWaiting: try int(14), retries: try int(15),
            duplicatesIgnored: try int(5), synthesisRequests: try int(6), run: try int(16),
            warnings: warningBytes == noWarnings ? [] : try JSONDecoder().decode([String].self, from: Data(warningBytes)),
            failure: try row.isNull(8) ? nil : try row.text(8),
            createdAt: try date(9) ?? Date(timeIntervalSince1970: 0), updatedAt: try date(10) ?? Date(timeIntervalSince1970: 0),
            lastProgressAt: try date(17),
            report: try row.isNull(11) ? nil : try row.bytes(11),
            stepAttempt: try int(18), stepDueAt: try date(20), stepWaiting: try row.integer(21) != 0, stepFirstAttempt: try int(19),
            documentsPlanned: try int(22),
            retry: RetryPolicy(
                maxAttempts: try int(23), initialBackoff: TaskDuration(milliseconds: try row.integer(24)),
                maxBackoff: TaskDuration(milliseconds: try row.integer(25))),
            taskTimeout: TaskDuration(milliseconds: try row.integer(26)), tolerance: FailureTolerance(parsing: try row.text(27)) ?? .none,
            maxInFlight: try int(28), traceContext: try traceCoding.decode(try row.isNull(29) ? nil : try row.bytes(29)))
    }

    /// The batch's changeable values: state, attempt, dispatched_at, due_at, worker_id, last_error.
    package static func values(of batch: BatchRecord) -> [StoredValue] {
        [
            .text(batch.state.rawValue), .integer(Int64(batch.attempt)),
            batch.dispatchedAt.map { .real($0.timeIntervalSince1970) } ?? .null, batch.dueAt.map { .real($0.timeIntervalSince1970) } ?? .null,
            batch.workerID.map { .text($0) } ?? .null, batch.lastError.map { .text($0) } ?? .null,
        ]
    }

    /// Reads a row selected with ``batchColumns``.
    package static func batch(from row: some StoredRow) throws -> BatchRecord {
        guard let state = BatchStatus.State(rawValue: try row.text(2)) else {
            throw ExperimentStoreError(.corrupt, path: "batches", "a batch has the unknown state '\(try row.text(2))'")
        }
        func date(_ column: Int) throws -> Date? { try row.isNull(column) ? nil : Date(timeIntervalSince1970: try row.real(column)) }
        return BatchRecord(
            experimentID: try row.text(0),
            status: BatchStatus(
                batchIndex: Int(try row.integer(1)), state: state, attempt: Int(try row.integer(3)), dispatchedAt: try date(4), dueAt: try date(5),
                workerID: try row.isNull(6) ? nil : try row.text(6), lastError: try row.isNull(7) ? nil : try row.text(7)))
    }

    /// An outbox message's headers as stored.
    package static func encode(headers: [String: Int]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(headers))
    }

    package static func decodeHeaders(_ bytes: [UInt8]) throws -> [String: Int] {
        try JSONDecoder().decode([String: Int].self, from: Data(bytes))
    }
}
