import Foundation
import TributaryCore

/// How experiment and batch records map to columns: one layout, written and read the same
/// way by the SQLite and the PostgreSQL store.
package enum StoredRecords {
    package static let experimentColumns = """
        id, name, state, batch_count, batches_completed, duplicates_ignored, synthesis_requests, warnings, failure, created_at,
        updated_at, report, batches_failed, in_flight, retry_waiting, retries, run, last_progress_at, step_attempt,
        step_first_attempt, step_due_at, step_waiting, documents_planned, max_attempts, initial_backoff_ms, max_backoff_ms,
        task_timeout_ms, tolerance, max_in_flight, trace_context, analysis, pause_reason
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
            try record.analysis.map { .blob(Array(try JSONEncoder().encode($0))) } ?? .null,
            record.pauseReason.map { .text($0.rawValue) } ?? .null,
        ]
    }

    /// Reads a row selected with ``experimentColumns``.
    package static func experiment(from row: some StoredRow, traceCoding: TraceHeaderCoding) throws -> ExperimentRecord {
        let id = try row.text("id")
        guard let state = ExperimentState(rawValue: try row.text("state")) else {
            throw ExperimentStoreError(.corrupt, path: "experiments", "experiment \(id) has the unknown state '\(try row.text("state"))'")
        }
        func int(_ column: String) throws -> Int { Int(try row.integer(column)) }
        func date(_ column: String) throws -> Date? { try row.isNull(column) ? nil : Date(timeIntervalSince1970: try row.real(column)) }
        func duration(_ column: String) throws -> TaskDuration { TaskDuration(milliseconds: try row.integer(column)) }
        let warningBytes = try row.bytes("warnings")
        return ExperimentRecord(
            id: id, name: try row.text("name"), state: state, batchCount: try int("batch_count"), batchesCompleted: try int("batches_completed"),
            batchesFailed: try int("batches_failed"), inFlight: try int("in_flight"), retryWaiting: try int("retry_waiting"),
            retries: try int("retries"), duplicatesIgnored: try int("duplicates_ignored"), synthesisRequests: try int("synthesis_requests"),
            run: try int("run"),
            warnings: warningBytes == noWarnings ? [] : try JSONDecoder().decode([String].self, from: Data(warningBytes)),
            failure: try row.optionalText("failure"),
            createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0), updatedAt: try date("updated_at") ?? Date(timeIntervalSince1970: 0),
            lastProgressAt: try date("last_progress_at"),
            report: try row.optionalBytes("report"),
            stepAttempt: try int("step_attempt"), stepDueAt: try date("step_due_at"), stepWaiting: try row.integer("step_waiting") != 0,
            stepFirstAttempt: try int("step_first_attempt"),
            documentsPlanned: try int("documents_planned"),
            retry: RetryPolicy(
                maxAttempts: try int("max_attempts"), initialBackoff: try duration("initial_backoff_ms"), maxBackoff: try duration("max_backoff_ms")),
            taskTimeout: try duration("task_timeout_ms"), tolerance: FailureTolerance(parsing: try row.text("tolerance")) ?? .none,
            maxInFlight: try int("max_in_flight"), traceContext: try traceCoding.decode(try row.optionalBytes("trace_context")),
            analysis: try row.optionalBytes("analysis").map { try JSONDecoder().decode(AnalysisRecord.self, from: Data($0)) },
            // A reason this build doesn't know still reads as paused, by hand.
            pauseReason: try row.optionalText("pause_reason").map { PauseReason(rawValue: $0) ?? .operator })
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
        guard let state = BatchStatus.State(rawValue: try row.text("state")) else {
            throw ExperimentStoreError(.corrupt, path: "batches", "a batch has the unknown state '\(try row.text("state"))'")
        }
        func date(_ column: String) throws -> Date? { try row.isNull(column) ? nil : Date(timeIntervalSince1970: try row.real(column)) }
        return BatchRecord(
            experimentID: try row.text("experiment_id"),
            status: BatchStatus(
                batchIndex: Int(try row.integer("batch_index")), state: state, attempt: Int(try row.integer("attempt")),
                dispatchedAt: try date("dispatched_at"), dueAt: try date("due_at"),
                workerID: try row.optionalText("worker_id"), lastError: try row.optionalText("last_error")))
    }

    package static let outboxColumns = "id, destination, routing_key, message_id, correlation_id, type, headers, body, trace_headers"

    /// Reads a row selected with ``outboxColumns``; nil for a destination this build doesn't know.
    package static func outboxEntry(from row: some StoredRow, traceCoding: TraceHeaderCoding) throws -> OutboxEntry? {
        guard let destination = OutboundMessage.Destination(rawValue: try row.text("destination")) else { return nil }
        let message = OutboundMessage(
            destination: destination, routingKey: try row.text("routing_key"), messageID: try row.text("message_id"),
            correlationID: try row.text("correlation_id"), type: try row.text("type"), headers: try decodeHeaders(try row.bytes("headers")),
            traceHeaders: try traceCoding.decode(try row.optionalBytes("trace_headers")), body: try row.bytes("body"))
        return OutboxEntry(id: try row.integer("id"), message: message)
    }

    /// An outbox message's headers as stored.
    package static func encode(headers: [String: Int]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(headers))
    }

    package static func decodeHeaders(_ bytes: [UInt8]) throws -> [String: Int] {
        try JSONDecoder().decode([String: Int].self, from: Data(bytes))
    }

    /// A model's buckets as the `model_rates` table keeps them.
    package static func encode(modelRate state: ModelRateState) throws -> [UInt8] {
        Array(try JSONEncoder().encode(state))
    }

    package static func modelRate(from bytes: [UInt8]) throws -> ModelRateState {
        try JSONDecoder().decode(ModelRateState.self, from: Data(bytes))
    }
}
