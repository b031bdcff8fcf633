import Foundation
import Testing
import TributaryCore
import TributaryStore

@testable import TributarySQLiteStore

@Suite struct SQLiteSchemaTests {
    /// The schema exactly as builds before versioning wrote it (user_version 0), with data.
    static let unversionedSchema = """
        CREATE TABLE experiments (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL,
            batch_count INTEGER NOT NULL, batches_completed INTEGER NOT NULL,
            duplicates_ignored INTEGER NOT NULL, synthesis_requests INTEGER NOT NULL,
            warnings BLOB NOT NULL, failure TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL, report BLOB
        ) WITHOUT ROWID;
        CREATE TABLE experiment_specs (id TEXT PRIMARY KEY, spec BLOB NOT NULL) WITHOUT ROWID;
        CREATE TABLE batch_results (
            experiment_id TEXT NOT NULL, batch_index INTEGER NOT NULL, result BLOB NOT NULL,
            PRIMARY KEY (experiment_id, batch_index)
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, routing_key TEXT NOT NULL,
            message_id TEXT NOT NULL, correlation_id TEXT NOT NULL, type TEXT NOT NULL,
            headers BLOB NOT NULL, body BLOB NOT NULL
        );
        INSERT INTO experiments VALUES ('old', 'from before', 'analysing', 3, 1, 0, 0, X'5B5D', NULL, 1764000000, 1764000001, NULL);
        INSERT INTO experiments VALUES ('done', 'finished before', 'completed', 2, 2, 0, 1, X'5B5D', NULL, 1764000000, 1764000001, X'7B7D');
        INSERT INTO batch_results VALUES ('done', 0, X'5B305D'), ('done', 1, X'5B315D');
        INSERT INTO experiment_specs VALUES ('old', X'7B7D');
        INSERT INTO batch_results VALUES ('old', 0, X'7B7D');
        INSERT INTO outbox (destination, routing_key, message_id, correlation_id, type, headers, body)
            VALUES ('tasks', 'analyse_batch', 'old.analyse_batch.1', 'old', 'analyse_batch', X'7B7D', X'7B7D');
        """

    @Test func databaseFromBeforeVersioningMigratesAndKeepsItsData() async throws {
        let path = SQLiteExperimentStoreTests.temporaryPath()
        defer { SQLiteExperimentStoreTests.remove(path) }
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute(Self.unversionedSchema)
            #expect(try database.userVersion() == 0)
            database.close()
        }
        let store = try await SQLiteExperimentStore.open(path: path)
        let record = try #require(try await store.experiment(id: "old"))
        #expect(record.state == .analysing)
        #expect(record.batchesCompleted == 1)
        #expect(try await store.pendingOutbox().map(\.message.messageID) == ["old.analyse_batch.1"])
        // Its batches carried over: the one with a result succeeded, the others wait with a deadline.
        #expect(record.inFlight == 2)
        let open = try await store.batches(experimentID: "old", in: [.dispatched], limit: 10)
        #expect(open.map(\.index) == [1, 2])
        #expect(open.allSatisfy { $0.attempt == 1 && $0.dueAt != nil })
        let finished = try await store.transaction { try $0.batchResults(experimentID: "done") }
        #expect(finished.value == [[0x5B, 0x30, 0x5D], [0x5B, 0x31, 0x5D]])
        // The migrated database takes new writes, and its distinctness check still holds.
        let counted = try await store.transaction { try $0.recordBatchResult(experimentID: "old", batchIndex: 1, result: [0x7B, 0x7D]) }
        let again = try await store.transaction { try $0.recordBatchResult(experimentID: "old", batchIndex: 0, result: [0x7B, 0x7D]) }
        #expect(counted.value == .dispatched && again.value == nil)
        await store.close()

        let database = try SQLiteDatabase(path: path)
        #expect(try database.userVersion() == SQLiteSchema.currentVersion)
        database.close()
    }

    @Test func reopeningACurrentDatabaseChangesNothing() async throws {
        let path = SQLiteExperimentStoreTests.temporaryPath()
        defer { SQLiteExperimentStoreTests.remove(path) }
        await (try await SQLiteExperimentStore.open(path: path)).close()
        let database = try SQLiteDatabase(path: path)
        #expect(try SQLiteSchema.migrate(database) == SQLiteSchema.currentVersion)
        database.close()
    }

    @Test func databaseOfANewerOrchestratorIsRefusedUntouched() async throws {
        let path = SQLiteExperimentStoreTests.temporaryPath()
        defer { SQLiteExperimentStoreTests.remove(path) }
        let future = SQLiteSchema.currentVersion + 1
        do {
            let database = try SQLiteDatabase(path: path)
            try database.execute("CREATE TABLE from_the_future (x); PRAGMA user_version = \(future)")
            database.close()
        }
        let error = await #expect(throws: ExperimentStoreError.self) { try await SQLiteExperimentStore.open(path: path) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("schema version \(future)") == true)
        let database = try SQLiteDatabase(path: path)
        #expect(try database.userVersion() == future)
        database.close()
    }
}
