import TributaryCore

/// The SQL both stores run, written once. The two dialects differ here only in how a
/// parameter is spelled (`?1` on SQLite, `$1` on PostgreSQL); what a backend does its own
/// way (row locks, array binds, read-ahead) stays in that backend.
package struct StoredStatements: Sendable {
    package enum Dialect: Sendable {
        case sqlite, postgres
    }

    package let dialect: Dialect

    package init(_ dialect: Dialect) {
        self.dialect = dialect
        insertExperiment =
            "INSERT INTO experiments (\(StoredRecords.experimentColumns)) VALUES (\(StoredRecords.experimentColumnNames.indices.map { Self.parameter($0 + 1, dialect) }.joined(separator: ", ")))"
        updateExperiment =
            "UPDATE experiments SET \(StoredRecords.experimentColumnNames.enumerated().dropFirst().map { "\($1) = \(Self.parameter($0 + 1, dialect))" }.joined(separator: ", ")) WHERE id = \(Self.parameter(1, dialect))"
    }

    /// Parameter `n` (from 1) in this dialect.
    package func parameter(_ n: Int) -> String { Self.parameter(n, dialect) }

    private static func parameter(_ n: Int, _ dialect: Dialect) -> String {
        switch dialect {
        case .sqlite: "?\(n)"
        case .postgres: "$\(n)"
        }
    }

    /// Every experiment column, values bound in ``StoredRecords/values(of:traceCoding:)`` order.
    package let insertExperiment: String
    /// Every column but the id, bound the same way (the id is parameter 1).
    package let updateExperiment: String

    package var selectExperiment: String { "SELECT \(StoredRecords.experimentColumns) FROM experiments WHERE id = \(parameter(1))" }
    package var selectSpec: String { "SELECT spec FROM experiment_specs WHERE id = \(parameter(1))" }
    package var insertSpec: String { "INSERT INTO experiment_specs (id, spec) VALUES (\(parameter(1)), \(parameter(2)))" }

    /// The newest experiments first, ties by id so that pages neither repeat nor skip: the
    /// limit is parameter 1, the offset 2, the state (when filtered) 3.
    package func recentExperiments(filtered: Bool) -> String {
        let filter = filtered ? "WHERE state = \(parameter(3))" : ""
        return
            "SELECT \(StoredRecords.experimentColumns) FROM experiments \(filter) ORDER BY created_at DESC, id DESC LIMIT \(parameter(1)) OFFSET \(parameter(2))"
    }

    package func recentExperimentsValues(state: ExperimentState?, limit: Int, offset: Int) -> [StoredValue] {
        [.integer(Int64(limit)), .integer(Int64(offset))] + (state.map { [.text($0.rawValue)] } ?? [])
    }

    /// One row: `state` and its `count`.
    package let experimentCountsByState = "SELECT state, COUNT(*) AS count FROM experiments GROUP BY state"

    /// One row, `due`: the earliest timer of a batch or a step, NULL when none is set.
    package let nextTimerDue = """
        SELECT MIN(due) AS due FROM (
            SELECT MIN(due_at) AS due FROM batches WHERE due_at IS NOT NULL
            UNION ALL SELECT MIN(step_due_at) FROM experiments WHERE step_due_at IS NOT NULL) AS timers
        """

    /// The batch grid's counts: for each run of `cellSize` batches (`cell` is the index
    /// divided by it), how many are in each `state`. Counted by the database from the index,
    /// without a row per batch reaching the orchestrator.
    package var batchStateCounts: String {
        "SELECT batch_index / \(parameter(2)) AS cell, state, COUNT(*) AS count FROM batches WHERE experiment_id = \(parameter(1)) GROUP BY cell, state"
    }

    /// The experiment's batches in `states`, lowest index first, at most `limit`.
    package func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) -> (sql: String, values: [StoredValue]) {
        let names = states.map(\.rawValue).sorted()
        let placeholders = names.indices.map { parameter($0 + 3) }.joined(separator: ", ")
        return (
            "SELECT \(StoredRecords.batchColumns) FROM batches WHERE experiment_id = \(parameter(1)) AND state IN (\(placeholders)) ORDER BY batch_index LIMIT \(parameter(2))",
            [.text(experimentID), .integer(Int64(min(limit, Int(Int64.max))))] + names.map { .text($0) }
        )
    }

    package var clearBatchTimers: String {
        "UPDATE batches SET due_at = NULL WHERE experiment_id = \(parameter(1)) AND due_at IS NOT NULL"
    }
}
