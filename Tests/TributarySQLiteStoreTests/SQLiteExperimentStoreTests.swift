import Foundation
import Testing
import TributaryCore
import TributaryStore
import TributaryTestSupport

@testable import TributarySQLiteStore

@Suite struct SQLiteExperimentStoreTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tributary-test-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// SQLite serves one orchestrator: a second on the same file is refused with the holder's
    /// pid, and gets in as soon as the first has closed.
    @Test func secondOrchestratorOnTheSameFileIsRefused() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        var first: DatabaseLock? = try DatabaseLock(database: path)
        let error = #expect(throws: ExperimentStoreError.self) { try DatabaseLock(database: path) }
        #expect(error?.code == .inUse)
        #expect(error?.message.contains("another orchestrator (pid \(getpid()))") == true, "\(String(describing: error))")
        #expect(first != nil)
        first = nil
        _ = try DatabaseLock(database: path)
    }

    /// The same random schedules as the in-memory property test, but the database is closed
    /// and reopened before every message: the orchestrator restarts at every step.
    @Test(arguments: 0..<4)
    func exactlyOneSynthesisWhenRestartedAtEveryStep(seed: Int) async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        var random = SplitMix(seed: UInt64(seed) &+ 1000)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        try await AggregatorSchedule.run(
            &random, experiments: 3,
            apply: { input in
                let store = try await SQLiteExperimentStore.open(path: path, durability: .normal)
                let pending = try await store.pendingOutbox()
                #expect(pending.isEmpty, "the previous step's outbox was not drained")
                let (_, enqueued) = try await store.transaction { try Orchestrator().handle(input, at: now, in: $0) }
                try await store.removeFromOutbox(enqueued.map(\.id))
                await store.close()
                return enqueued.map(\.message)
            },
            record: { id in
                let store = try await SQLiteExperimentStore.open(path: path, durability: .normal)
                defer { Task { await store.close() } }
                return try await store.experiment(id: id)
            })
    }

    /// Unreliable work (failures, losses, dead letters, cancellations, timers) with the
    /// database closed and reopened before every message and every timer tick.
    @Test(arguments: 0..<8)
    func unreliableWorkWithARestartAtEveryStep(seed: Int) async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        var random = SplitMix(seed: UInt64(seed) &+ 9_000)
        func step(_ body: @escaping @Sendable (SQLiteTransaction) throws -> Void) async throws -> [OutboundMessage] {
            let store = try await SQLiteExperimentStore.open(path: path, durability: .normal)
            let (_, enqueued) = try await store.transaction { try body($0) }
            try await store.removeFromOutbox(enqueued.map(\.id))
            await store.close()
            return enqueued.map(\.message)
        }
        func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteTransaction) throws -> T) async throws -> T {
            let store = try await SQLiteExperimentStore.open(path: path, durability: .normal)
            defer { Task { await store.close() } }
            return try await store.transaction { try body($0) }.value
        }
        try await ResilienceSchedule.run(
            &random, experiments: 3,
            store: ResilienceSchedule.Store(
                apply: { input, now in try await step { _ = try Orchestrator().handle(input, at: now, in: $0) } },
                fire: { now in try await step { _ = try Orchestrator().fireTimers(at: now, in: $0) } },
                experiment: { id in try await read { try $0.experiment(id: id) } },
                batches: { id in try await read { try $0.batches(experimentID: id, in: Set(BatchStatus.State.allCases), limit: .max) } }))
    }

    /// The batch grid counted by the database is the grid from every batch record.
    @Test func batchGridCountsAreTheBatchesStates() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        try await BatchGridStoreContract.check(store)
        await store.close()
    }

    @Test func unconfirmedOutboxSurvivesReopening() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        let request = Fixtures.request("e1")
        let (_, enqueued) = try await store.transaction { try Orchestrator().handle(.request(request), at: Date(), in: $0) }
        #expect(enqueued.count == 3)
        try await store.removeFromOutbox([enqueued[0].id])
        await store.close()

        let reopened = try await SQLiteExperimentStore.open(path: path)
        let pending = try await reopened.pendingOutbox()
        #expect(pending == Array(enqueued.dropFirst()))
        #expect(try await reopened.experiment(id: "e1")?.state == .preTesting)
        await reopened.close()
    }

    /// A re-published message continues the submitter's trace: the experiment and every
    /// outbox row keep the propagation headers across a restart.
    @Test func traceContextSurvivesReopening() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        let trace = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "vendor=opaque"]
        let (_, enqueued) = try await store.transaction {
            try Orchestrator().handle(.request(Fixtures.request("e1"), traceContext: trace), at: Date(), in: $0)
        }
        #expect(enqueued.allSatisfy { $0.message.traceHeaders == trace })
        await store.close()

        let reopened = try await SQLiteExperimentStore.open(path: path)
        #expect(try await reopened.pendingOutbox().map(\.message.traceHeaders) == enqueued.map { _ in trace })
        #expect(try await reopened.experiment(id: "e1")?.traceContext == trace)
        #expect(try await reopened.experimentCountsByState() == [.preTesting: 1])
        await reopened.close()
    }

    @Test func failedTransactionLeavesNoTrace() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        struct Boom: Error {}
        let request = Fixtures.request("e1")
        await #expect(throws: Boom.self) {
            _ = try await store.transaction { transaction in
                _ = try Orchestrator().handle(.request(request), at: Date(), in: transaction)
                throw Boom()
            }
        }
        #expect(try await store.experiment(id: "e1") == nil)
        #expect(try await store.pendingOutbox().isEmpty)
        await store.close()
    }

    @Test func batchResultsAreDistinctByIndex() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        let (inserted, _) = try await store.transaction { transaction in
            try transaction.createBatches(experimentID: "e", tasks: [[0], [1], [2]])
            var waiting = try #require(try transaction.batch(experimentID: "e", index: 0))
            waiting.state = .retryWait
            try transaction.save(waiting)
            var sent = try #require(try transaction.batch(experimentID: "e", index: 1))
            sent.state = .dispatched
            try transaction.save(sent)
            return [
                try transaction.recordBatchResult(experimentID: "e", batchIndex: 1, result: [1]),
                try transaction.recordBatchResult(experimentID: "e", batchIndex: 0, result: [0]),
                try transaction.recordBatchResult(experimentID: "e", batchIndex: 1, result: [9]),
                // A batch that was never sent has no result to take.
                try transaction.recordBatchResult(experimentID: "e", batchIndex: 2, result: [2]),
            ]
        }
        #expect(inserted == [.dispatched, .retryWait, nil, nil])
        let (results, _) = try await store.transaction { try $0.batchResults(experimentID: "e") }
        #expect(results == [[0], [1]])
        await store.close()
    }

    @Test func unwritableLocationGivesAClearError() async {
        let error = await #expect(throws: SQLiteError.self) {
            _ = try await SQLiteExperimentStore.open(path: "/nonexistent-dir/x/orchestrator.sqlite")
        }
        #expect(error?.operation.contains("/nonexistent-dir/x/orchestrator.sqlite") == true)
    }
}

extension SQLiteExperimentStoreTests {
    @Test func theResultCacheKeepsFindsCountsAndPurgesEntries() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        try await ResultCacheStoreContract.check(store)
        await store.close()
    }

    @Test func everyRunIsKeptAndPagedNewestFirst() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let store = try await SQLiteExperimentStore.open(path: path)
        try await RunRecordStoreContract.check(store)
        await store.close()
    }
}
