import Foundation
import Logging
import PostgresNIO
import Testing
import TributaryCore
import TributaryPostgresStore
import TributaryStore
import TributaryTestSupport

/// The store shared by several orchestrators, against a real PostgreSQL server: each test has
/// a database of its own, and "orchestrators" are separate store connections.
@Suite(TestPostgres.required) struct PostgresExperimentStoreTests {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)
    static let logger = Logger(label: "tributary.test.store")

    static func open(_ database: TestDatabase, lease: Duration = .seconds(10), name: String = UUID().uuidString) async throws -> PostgresExperimentStore {
        var configuration = try PostgresStoreConfiguration(url: database.url, instanceID: name)
        configuration.outboxLease = lease
        return try await PostgresExperimentStore.open(configuration, logger: logger)
    }

    /// Runs `body` on a fresh database and drops it afterwards, whatever happens.
    static func withDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
        let database = try await TestPostgres.freshDatabase()
        do {
            try await body(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }

    /// The aggregator's random schedules, applied by two orchestrators at once on their own
    /// connections, a few messages per transaction as group commits do; copies of a result
    /// reach both. Half the transactions lock their experiments up front, half only when the
    /// orchestrator first reads each. Whatever the interleaving, every
    /// experiment gets one synthesis request, after all of its batches, and completes once.
    @Test(arguments: 0..<12)
    func twoOrchestratorsOnOneScheduleSynthesiseExactlyOnce(seed: Int) async throws {
        try await Self.withDatabase { database in
            let stores = [try await Self.open(database), try await Self.open(database)]
            let schedule = ConcurrentSchedule(seed: UInt64(seed) &+ 50_000, experiments: 4)
            try await ConcurrentSchedule.run(schedule, workers: 2) { worker, inputs in
                let lockUpFront = Bool.random()
                let (_, enqueued) = try await stores[worker].transaction(locking: lockUpFront ? inputs.map(\.experimentID) : []) {
                    transaction in try Orchestrator().handle(inputs, at: Self.now, in: transaction)
                }
                try await stores[worker].removeFromOutbox(enqueued.map(\.id))
                return enqueued.map(\.message)
            }
            let violations = await schedule.violations
            let synthesisTasks = await schedule.synthesisTasks
            let completedEvents = await schedule.completedEvents
            #expect(violations.isEmpty, "\(violations)")
            for id in (0..<4).map({ "e\($0)" }) {
                #expect(synthesisTasks[id] == 1, "\(id): \(synthesisTasks[id] ?? 0) synthesis requests")
                #expect(completedEvents[id] == 1, "\(id): \(completedEvents[id] ?? 0) completions")
                let record = try #require(try await stores[0].experiment(id: id))
                #expect(record.state == .completed)
                #expect(record.batchesCompleted == record.batchCount)
                #expect(record.synthesisRequests == 1)
            }
            for store in stores { await store.close() }
        }
    }

    /// Unreliable work (failures, losses, dead letters, cancellations, timers) on PostgreSQL,
    /// with a new connection, as after a restart, for every step.
    @Test(arguments: 0..<4)
    func unreliableWorkOnPostgres(seed: Int) async throws {
        try await Self.withDatabase { database in
            var random = SplitMix(seed: UInt64(seed) &+ 9_000)
            @Sendable func step(_ body: @escaping @Sendable (any ExperimentStoreTransaction) throws -> Void) async throws -> [OutboundMessage] {
                let store = try await Self.open(database)
                let (_, enqueued) = try await store.transaction(locking: []) { try body($0) }
                try await store.removeFromOutbox(enqueued.map(\.id))
                await store.close()
                return enqueued.map(\.message)
            }
            let reader = try await Self.open(database)
            try await ResilienceSchedule.run(
                &random, experiments: 3,
                store: ResilienceSchedule.Store(
                    apply: { input, now in try await step { _ = try Orchestrator().handle(input, at: now, in: $0) } },
                    fire: { now in try await step { _ = try Orchestrator().fireTimers(at: now, in: $0) } },
                    experiment: { id in try await reader.experiment(id: id) },
                    batches: { id in try await reader.batches(experimentID: id, in: Set(BatchStatus.State.allCases), limit: .max) }))
            await reader.close()
        }
    }

    /// Two orchestrators look at the same due timers at the same moment: each batch's timeout
    /// fires once, on one of them, and its retry is sent once.
    /// The batch grid counted by the database is the grid from every batch record.
    @Test func batchGridCountsAreTheBatchesStates() async throws {
        try await Self.withDatabase { database in
            let store = try await Self.open(database)
            try await BatchGridStoreContract.check(store)
            await store.close()
        }
    }

    @Test func dueTimersFireOnceAcrossOrchestrators() async throws {
        try await Self.withDatabase { database in
            let stores = [try await Self.open(database), try await Self.open(database)]
            var spec = Fixtures.spec(documents: 40, batchSize: 1)
            spec.taskTimeout = TaskDuration(milliseconds: 60_000)
            let request = Fixtures.request("e1", spec)
            let (_, requested) = try await stores[0].transaction(locking: ["e1"]) {
                try Orchestrator().handle(.request(request), at: Self.now, in: $0)
            }
            let preTest = try #require(Fixtures.tasks(in: requested.map(\.message)).first)
            let (_, planned) = try await stores[1].transaction(locking: ["e1"]) {
                try Orchestrator().handle(.result(Fixtures.result(for: preTest)), at: Self.now, in: $0)
            }
            #expect(Fixtures.tasks(in: planned.map(\.message)).count == 40)

            let late = Self.now.addingTimeInterval(61)
            async let first = stores[0].transaction(locking: []) { try Orchestrator().fireTimers(at: late, in: $0) }
            async let second = stores[1].transaction(locking: []) { try Orchestrator().fireTimers(at: late, in: $0) }
            let fired = try await [first, second]
            let timedOut = fired.flatMap(\.value).filter { $0.event == .attemptTimedOut }
            // Whichever got the experiment fired all 40; the other found it taken and skipped it.
            #expect(timedOut.count == 40, "fired \(fired.map { $0.value.count })")
            #expect(Set(timedOut.compactMap(\.batchIndex)).count == 40)
            #expect(Fixtures.tasks(in: fired.flatMap(\.enqueued).map(\.message)).count == 40)
            // Fired once means gone: the same moment finds nothing due on either.
            for store in stores {
                #expect(try await store.transaction(locking: []) { try Orchestrator().fireTimers(at: late, in: $0) }.value.isEmpty)
            }
            let batches = try await stores[0].batches(experimentID: "e1", in: [.dispatched], limit: 100)
            #expect(batches.count == 40 && batches.allSatisfy { $0.attempt == 2 })
            for store in stores { await store.close() }
        }
    }

    /// An orchestrator's unconfirmed outbox is its own while it renews its heartbeat; once it
    /// stops, the others adopt it, each row once, however many claim at the same moment.
    @Test func outboxOfAStoppedOrchestratorIsAdoptedOnce() async throws {
        try await Self.withDatabase { database in
            let writer = try await Self.open(database, lease: .seconds(60), name: "writer")
            var written: [OutboxEntry] = []
            for index in 0..<30 {
                let (_, enqueued) = try await writer.transaction(locking: []) {
                    try Orchestrator().handle(.request(Fixtures.request("e\(index)")), at: Self.now, in: $0)
                }
                written += enqueued
            }
            let adopters = [try await Self.open(database, name: "adopter-a"), try await Self.open(database, name: "adopter-b")]
            // The writer is alive: its rows are not anyone else's.
            for adopter in adopters { #expect(try await adopter.claimOutbox(limit: 1_000).isEmpty) }
            // It stops (as after SIGKILL, its heartbeat is gone); both adopt at once, in small bites.
            try await database.withConnection { try await $0.query("DELETE FROM orchestrators WHERE id = 'writer'", logger: Self.logger) }
            let claimed = try await withThrowingTaskGroup(of: [OutboxEntry].self) { group in
                for adopter in adopters {
                    group.addTask {
                        var mine: [OutboxEntry] = []
                        while true {
                            let bite = try await adopter.claimOutbox(limit: 7)
                            if bite.isEmpty { return mine }
                            mine += bite
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ids = claimed.flatMap { $0.map(\.id) }
            #expect(ids.count == written.count, "each row adopted once: \(claimed.map(\.count))")
            #expect(Set(ids) == Set(written.map(\.id)))
            // A Bool, so a failure does not print every message body.
            let adoptedAsWritten = Set(claimed.flatMap { $0 }.map(\.message)) == Set(written.map(\.message))
            #expect(adoptedAsWritten, "the adopted messages differ from those written")
            // Adopted rows are the adopter's now: the other can't take them while it lives.
            for adopter in adopters { #expect(try await adopter.claimOutbox(limit: 1_000).isEmpty) }
            await writer.close()
            for adopter in adopters { await adopter.close() }
        }
    }

    /// A lease that lapses without a heartbeat frees the rows; one that is renewed does not.
    @Test func outboxLeaseLapsesOnlyWithoutHeartbeats() async throws {
        try await Self.withDatabase { database in
            let writer = try await Self.open(database, lease: .seconds(4), name: "writer")
            let (_, enqueued) = try await writer.transaction(locking: []) {
                try Orchestrator().handle(.request(Fixtures.request("e1")), at: Self.now, in: $0)
            }
            // The adopter's own lease is shorter: the writer's lease is the writer's to set.
            let adopter = try await Self.open(database, lease: .seconds(1), name: "adopter")
            // Renewed past several leases: never adoptable.
            let renewedUntil = ContinuousClock.now + .seconds(6)
            while ContinuousClock.now < renewedUntil {
                try await writer.heartbeat()
                #expect(try await adopter.claimOutbox(limit: 100).isEmpty)
                try await Task.sleep(for: .milliseconds(200))
            }
            // Not renewed: adoptable once the lease has run out.
            try await eventually(within: .seconds(10), "the writer's lease to lapse") {
                try await adopter.claimOutbox(limit: 100).map(\.id) == enqueued.map(\.id)
            }
            await adopter.close()
            await writer.close()
        }
    }

    /// Orchestrators started together on an empty database migrate it once; a database from
    /// a newer orchestrator is refused with a clear error.
    @Test func schemaIsCreatedOnceAndANewerOneRefused() async throws {
        try await Self.withDatabase { database in
            let stores = try await withThrowingTaskGroup(of: PostgresExperimentStore.self) { group in
                for _ in 0..<4 { group.addTask { try await Self.open(database) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(stores.count == 4)
            for store in stores { await store.close() }
            try await database.withConnection { try await $0.query("UPDATE tributary_schema SET version = 999", logger: Self.logger) }
            let error = await #expect(throws: ExperimentStoreError.self) { try await Self.open(database) }
            #expect(error?.code == .schemaTooNew)
        }
    }

    /// The password is for connecting only: not in the description, nor in any error.
    @Test func passwordNeverAppearsInDescriptionsOrErrors() async throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://app:s3cr%40t@db.example:6000/tributary?sslmode=require")
        #expect(configuration.description == "postgres://app@db.example:6000/tributary")
        #expect(configuration.host == "db.example" && configuration.port == 6000 && configuration.tls == .require)
        for bad in [
            "postgres://app:s3cr3t@/tributary", "postgres://app:s3cr3t@host", "postgres://app:s3cr3t@host/db?sslmode=maybe", "postgres://:s3cr3t@host/db",
        ] {
            let error = #expect(throws: ExperimentStoreError.self) { try PostgresStoreConfiguration(url: bad) }
            #expect(error?.code == .invalidLocation)
            #expect(error.map { !"\($0)".contains("s3cr3t") } == true, "\(String(describing: error))")
        }
        #expect(!PostgresStoreConfiguration.isURL("/var/lib/tributary/orchestrator.sqlite"))

        let database = try #require(TestPostgres.url.flatMap(URLComponents.init(string:)))
        var wrong = database
        wrong.password = "not-the-password-9f2c"
        let error = await #expect(throws: ExperimentStoreError.self) {
            try await PostgresExperimentStore.open(try PostgresStoreConfiguration(url: wrong.string ?? ""), logger: Self.logger)
        }
        #expect(error?.code == .rejected)
        #expect(error.map { "\($0)".contains("password authentication failed") } == true, "\(String(describing: error))")
        #expect(error.map { !"\($0)".contains("not-the-password-9f2c") } == true)
    }

    /// The server ends the session (a restart, a failover, an administrator): the transaction
    /// in progress fails as `unavailable`, nothing of it is kept, and the next one runs on a
    /// new connection.
    @Test func aLostConnectionIsReplacedAndLosesNothing() async throws {
        try await Self.withDatabase { database in
            let store = try await Self.open(database)
            _ = try await store.transaction(locking: ["e1"]) { try Orchestrator().handle(.request(Fixtures.request("e1")), at: Self.now, in: $0) }
            let name = database.name
            try await database.withConnection { connection in
                try await connection.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name) AND application_name = 'tributary-orchestrator'",
                    logger: Self.logger)
            }
            var failures: [ExperimentStoreError] = []
            var applied = false
            for _ in 0..<3 where !applied {
                do {
                    _ = try await store.transaction(locking: ["e2"]) {
                        try Orchestrator().handle(.request(Fixtures.request("e2")), at: Self.now, in: $0)
                    }
                    applied = true
                } catch let error as ExperimentStoreError {
                    failures.append(error)
                }
            }
            #expect(applied, "\(failures)")
            #expect(failures.allSatisfy { $0.code == .unavailable }, "\(failures)")
            #expect(try await store.experiment(id: "e1")?.state == .preTesting)
            #expect(try await store.experiment(id: "e2")?.state == .preTesting)
            await store.close()
        }
    }

    /// A closed server is "unavailable", not a refusal: the orchestrator waits for it.
    @Test func unreachableServerIsUnavailable() async throws {
        let error = await #expect(throws: ExperimentStoreError.self) {
            var configuration = try PostgresStoreConfiguration(url: "postgres://app:pw@127.0.0.1:1/tributary?sslmode=disable&connect_timeout=2")
            configuration.outboxLease = .seconds(1)
            return try await PostgresExperimentStore.open(configuration, logger: Self.logger)
        }
        #expect(error?.code == .unavailable)
    }
}

extension PostgresExperimentStoreTests {
    @Test func theResultCacheKeepsFindsCountsAndPurgesEntries() async throws {
        try await Self.withDatabase { database in
            let store = try await Self.open(database)
            try await ResultCacheStoreContract.check(store)
            await store.close()
        }
    }

    @Test func everyRunIsKeptAndPagedNewestFirst() async throws {
        try await Self.withDatabase { database in
            let store = try await Self.open(database)
            try await RunRecordStoreContract.check(store)
            await store.close()
        }
    }
}
