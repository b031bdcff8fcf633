import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// Several orchestrators on one PostgreSQL database, all consuming the same queues: real
/// executables, the real broker, a database of the test's own.
@Suite(.serialized, TestBroker.required, TestPostgres.required) struct SharedStoreEndToEndTests {
    /// Runs `body` with a pipeline whose orchestrators share a fresh database on `server`.
    func withSharedStore(
        _ name: String = #function, on server: String? = TestPostgres.url, _ body: (PipelineHarness, TestDatabase) async throws -> Void
    ) async throws {
        let database = try await TestPostgres.freshDatabase(on: server)
        try await withPipeline(name) { harness in
            harness.databaseURL = database.url
            try await body(harness, database)
        }
        await database.drop()
    }

    /// Two orchestrators, and one of them, chosen at random, killed with SIGKILL at a random
    /// point of each experiment: right after the fan-out was planned and while its tasks are
    /// being published, or in the middle of the fan-in. The killed one is restarted at once,
    /// so two stay active. Every experiment completes with every document once, its fan-in
    /// counted once, and one synthesis task published (a message re-published after a crash
    /// keeps its id).
    @Test func twoOrchestratorsSurviveKillsWithExactlyOneSynthesisEach() async throws {
        try await withSharedStore { harness, _ in
            let trials = Int(ProcessInfo.processInfo.environment["TRIBUTARY_KILL_TRIALS"] ?? "") ?? 20
            // Every synthesis task the orchestrators publish is copied here, to be counted at the end.
            let tap = "\(harness.topology.namespace).tap.synthesis"
            _ = try await harness.connection.declare(QueueDeclaration(name: tap, durable: false))
            try await harness.connection.bind(
                QueueBinding(queue: tap, exchange: harness.topology.tasksExchange, routingKey: TaskType.corpusSynthesis.rawValue))

            // A narrow publish window stretches a fan-out of 1,000 tasks over a few hundred
            // milliseconds: a kill then leaves committed tasks that were never sent, which only
            // the other orchestrator's adoption of the outbox can deliver.
            harness.orchestratorArguments = ["--publish-window", "4"]
            try harness.startOrchestrator()
            try harness.startOrchestrator()
            try harness.startPipeline(analysers: 2, analyserConcurrency: 4, startingOrchestrator: false)
            try await harness.waitUntilReady()
            // A new seed each run (printed, and settable, to replay a failure).
            let seed = UInt64(ProcessInfo.processInfo.environment["TRIBUTARY_KILL_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64.max)
            var random = SplitMix(seed: seed)
            print("kill trials: \(trials), TRIBUTARY_KILL_SEED=\(seed)")
            var experiments: [(id: String, documents: Int)] = []
            for trial in 0..<trials {
                let midFanOut = Bool.random(using: &random)
                // Mid-fan-out: 1,000 tasks go out at once when the pre-test returns, and the kill
                // lands at a random moment of that, while they are being published. Mid-fan-in:
                // at most 12 tasks out at a time, so each result sends the next and the kill at
                // a random count of results also lands mid-fan-out.
                let documents = midFanOut ? 1_000 : 60
                var spec = Corpus.spec(name: "kill-\(trial)", documents: documents, batchSize: 1)
                spec.maxInFlight = midFanOut ? 1_000 : 12
                let subscription = try await harness.client.submit(spec)
                experiments.append((subscription.experimentID, documents))
                let killAt = Int.random(in: 5...(documents - 5), using: &random)
                let progress = try await withDeadline(.seconds(60), "trial \(trial): the kill point") {
                    while let event = try await subscription.nextEvent() {
                        if midFanOut, event.state == .preTesting { return event }
                        if !midFanOut, event.state == .analysing, event.batchesCompleted >= killAt { return event }
                        if event.state.isTerminal { return event }
                    }
                    throw HarnessError("events ended before the kill point")
                }
                if midFanOut {
                    // Fault injection, not synchronisation: a random instant of the fan-out.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_200, using: &random)))
                }
                let running = harness.orchestrators.filter(\.isRunning)
                let victim = running[Int.random(in: 0..<running.count, using: &random)]
                try await victim.crash()
                print("trial \(trial): killed \(victim.name) \(midFanOut ? "mid-fan-out" : "mid-fan-in at \(progress.batchesCompleted)/\(documents) batches")")
                try harness.startOrchestrator()

                let outcome = try await subscription.outcome(within: .seconds(120))
                #expect(outcome.state == .completed, "trial \(trial): \(outcome.error ?? "")\n\(harness.logs)")
                #expect(outcome.batchCount == documents)
                #expect(outcome.batchesCompleted == documents)
                #expect(outcome.synthesisRequests == 1)
                try expectEveryDocumentOnce(outcome, documents: documents)
                #expect(try await harness.client.status(experimentID: subscription.experimentID)?.synthesisRequests == 1)
            }

            // The tap holds every synthesis task published: one message id per experiment.
            let published = try await harness.connection.declare(QueueDeclaration(name: tap, durable: false)).messageCount
            let consumer = try await harness.connection.consume(queue: tap, prefetch: 500)
            let ids = try await withDeadline(.seconds(30), "the tapped synthesis tasks") {
                var ids: [String: Set<String>] = [:]
                var read: UInt32 = 0
                for try await delivery in consumer where read < published {
                    read += 1
                    ids[delivery.properties.correlationID ?? "?", default: []].insert(delivery.properties.messageID ?? "?")
                    try delivery.ack()
                    if read == published { break }
                }
                return ids
            }
            try await consumer.cancel()
            _ = try await harness.connection.deleteQueue(tap)
            for (id, _) in experiments {
                #expect(ids[id]?.count == 1, "experiment \(id): synthesis task ids \(ids[id] ?? [])")
            }
            let adoptions = harness.orchestrators.map { $0.log.components(separatedBy: "re-publishing unconfirmed outbox entries").count - 1 }
            print("synthesis tasks published: \(published) for \(experiments.count) experiments; outbox adoptions per orchestrator: \(adoptions)")
        }
    }

    /// The database server restarts twice in the middle of an experiment (a failover looks the
    /// same to the orchestrators): every transaction in progress fails, its messages are
    /// requeued, both orchestrators reconnect, and the experiment completes with one synthesis.
    @Test(TestPostgres.restartable) func databaseRestartsMidExperimentLoseNothing() async throws {
        try await withSharedStore(on: TestPostgres.restartableURL) { harness, _ in
            try harness.startOrchestrator()
            try harness.startOrchestrator()
            try harness.startPipeline(analysers: 2, analyserConcurrency: 8, startingOrchestrator: false)
            try await harness.waitUntilReady()
            let documents = 1_500
            var spec = Corpus.spec(name: "restart", documents: documents, batchSize: 1)
            spec.maxInFlight = 100
            let subscription = try await harness.client.submit(spec)
            for restartAt in [300, 900] {
                let progress = try await withDeadline(.seconds(60), "\(restartAt) batches") {
                    while let event = try await subscription.nextEvent() {
                        if event.batchesCompleted >= restartAt || event.state.isTerminal { return event }
                    }
                    throw HarnessError("events ended before \(restartAt) batches")
                }
                #expect(progress.state == .analysing, "finished before the restart: it would prove nothing")
                try await TestPostgres.restartServer()
                print("database restarted at \(progress.batchesCompleted)/\(documents) batches")
            }
            let outcome = try await subscription.outcome(within: .seconds(120))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")\n\(harness.logs)")
            #expect(outcome.batchesCompleted == documents)
            #expect(outcome.synthesisRequests == 1)
            try expectEveryDocumentOnce(outcome, documents: documents)
            for orchestrator in harness.orchestrators {
                #expect(orchestrator.isRunning, "\(orchestrator.name) stopped:\n\(orchestrator.log.suffix(3000))")
                #expect(orchestrator.log.contains("reconnected to the database"), "\(orchestrator.name) never reconnected")
            }
        }
    }

    /// The database URL carries a password: it is taken from TRIBUTARY_DATABASE_URL, and
    /// neither the log nor --help shows it.
    @Test func databasePasswordIsNeverShown() async throws {
        try await withSharedStore { harness, database in
            let orchestrator = try harness.startOrchestrator()
            try await harness.waitUntilReady()
            let password = try #require(URLComponents(string: database.url)?.password)
            let help = try harness.runService("orchestrator", ["--help"], environment: ["TRIBUTARY_DATABASE_URL": database.url])
            #expect(try await help.waitForExit(within: .seconds(20)) == 0)
            for process in [orchestrator, help] {
                #expect(!process.log.contains(password), "\(process.name) shows the password:\n\(process.log)")
            }
            #expect(orchestrator.log.contains("tributary.database=postgres://\(database.name)@127.0.0.1"), "\(orchestrator.log)")
            #expect(help.log.contains("TRIBUTARY_DATABASE_URL"))
        }
    }
}
