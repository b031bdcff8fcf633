import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The result cache through the real executables: what a re-run sends is counted where it
/// would be paid for, at the model server (or, for a program, in its own log).
@Suite(.serialized, TestBroker.required) struct ResultCacheEndToEndTests {
    static func spec(name: String = "cached", documents: Int = 6) -> ExperimentSpec {
        var spec = Corpus.spec(name: name, documents: documents, batchSize: 2)
        // Every document its own text: the phrase matcher's key reads nothing else.
        for index in spec.documents.indices { spec.documents[index].text += " document \(index)" }
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
        return spec
    }

    static func completed(_ spec: ExperimentSpec, _ harness: PipelineHarness) async throws -> ExperimentStatus {
        let outcome = try await harness.client.submit(spec).outcome(within: .seconds(120))
        #expect(outcome.state == .completed, "\(outcome.error ?? "")")
        return outcome
    }

    /// Answered calls per document since `before`.
    static func sent(_ server: ScriptedModelServer, since before: ScriptedModelServer.Stats) throws -> [String: Int] {
        try server.stats().documents.reduce(into: [:]) { sent, entry in
            let added = entry.value - (before.documents[entry.key] ?? 0)
            if added > 0 { sent[entry.key] = added }
        }
    }

    /// An unchanged re-run calls nothing and reports the same bytes; an edited document, a
    /// new temperature and a new prompt template each re-analyse exactly what they affect,
    /// and a purge empties what the cache held.
    @Test func aReRunPaysOnlyForWhatChanged() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: [])
            defer { server.stop() }
            harness.serviceEnvironment["TRIBUTARY_MODELS_FILE"] = try LanguageModelLaneEndToEndTests.modelTable(in: harness)
            try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL])
            let spec = Self.spec()
            let cold = try await Self.completed(spec, harness)
            let afterCold = try server.stats()
            #expect(
                afterCold.documents.count == 6 && afterCold.documents.values.allSatisfy { $0 == 1 },
                "\(afterCold.documents): the pilot's documents too are paid once")
            #expect(cold.cache?.documentsStored == 6 && cold.cache?.documentsFromCache == 0)

            let warm = try await Self.completed(spec, harness)
            #expect(try server.stats().requests == afterCold.requests, "an unchanged re-run called the model")
            #expect(warm.report == cold.report)
            #expect(warm.report?["report_markdown"] == cold.report?["report_markdown"])
            #expect(warm.cache?.documentsFromCache == 6 && warm.ledger?.requests == 0)
            let coldCost = try #require(cold.ledger?.cost)
            #expect(abs((warm.cache?.costSaved ?? 0) - coldCost) < 1e-9, "saved \(warm.cache?.costSaved ?? 0), the cold run cost \(coldCost)")
            let explained = try harness.runClient(["explain", warm.experimentID])
            #expect(try await explained.waitForExit(within: .seconds(30)) == 0)
            #expect(explained.log.contains("cache on: 6 of 6 documents from the cache"), "\(explained.log)")

            // Rendered again here from the stored results alone, both runs' reports are the
            // bytes the pipeline made, and nothing calls the model.
            let requests = try server.stats().requests
            for (run, outcome) in [("cold", cold), ("warm", warm)] {
                let folder = "\(harness.directory)/rebuilt-\(run)"
                let rebuilt = try harness.runClient(["report", outcome.experimentID, "--rebuild", "--out", folder])
                #expect(try await rebuilt.waitForExit(within: .seconds(60)) == 0, "\(rebuilt.log)")
                #expect(rebuilt.log.contains("byte-identical"), "\(rebuilt.log)")
                let markdown = try String(contentsOfFile: "\(folder)/report.md", encoding: .utf8)
                #expect(JSONValue.string(markdown) == cold.report?["report_markdown"], "the \(run) run's rebuilt report.md")
            }
            #expect(try server.stats().requests == requests, "a rebuild called the model")
            let unknown = try harness.runClient(["report", "no-such-experiment", "--rebuild"])
            #expect(try await unknown.waitForExit(within: .seconds(30)) == 1, "\(unknown.log)")

            var edited = spec
            edited.documents[3].text += " and more hope"
            var before = try server.stats()
            _ = try await Self.completed(edited, harness)
            #expect(try Self.sent(server, since: before) == [spec.documents[3].id: 1])

            var warmer = spec
            warmer.analyser?.temperature = 0.5
            before = try server.stats()
            _ = try await Self.completed(warmer, harness)
            #expect(try Self.sent(server, since: before) == Dictionary(uniqueKeysWithValues: spec.documents.map { ($0.id, 1) }))

            var prompted = spec
            prompted.analyser?.prompt = "Score this text for {{dimensions}}.\n\nDocument {{document_id}}:\n\"\"\"\n{{document}}\n\"\"\""
            before = try server.stats()
            _ = try await Self.completed(prompted, harness)
            #expect(try Self.sent(server, since: before) == Dictionary(uniqueKeysWithValues: spec.documents.map { ($0.id, 1) }))

            let stats = try harness.runClient(["cache", "stats", "--json"])
            #expect(try await stats.waitForExit(within: .seconds(30)) == 0)
            let line = try #require(stats.log.split(separator: "\n").last { $0.hasPrefix("{") })
            let reply = try MessageCoding.decode(CacheReply.self, from: Array(line.utf8))
            #expect(reply.analysers.map(\.analyser) == ["llm:m"] && reply.analysers.first?.entries == 19)
            let purge = try harness.runClient(["cache", "purge", "--analyser", "llm"])
            #expect(try await purge.waitForExit(within: .seconds(30)) == 0)
            #expect(purge.log.contains("removed 19 cached analyses"), "\(purge.log)")
            before = try server.stats()
            _ = try await Self.completed(spec, harness)
            #expect(try Self.sent(server, since: before).count == 6, "after a purge everything is analysed again")
        }
    }

    /// kill -9 of the orchestrator mid-fan-out: the run finishes under the next one, and no
    /// document was sent to the model twice, neither by that run nor by its re-submission.
    @Test func afterAKillNoCountedDocumentIsSentAgain() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--latency-ms", "100"])
            defer { server.stop() }
            try harness.startPipeline(analysers: 1, analyserConcurrency: 1, analyserArguments: ["--llm-base-url", server.baseURL])
            let spec = Self.spec(name: "killed", documents: 24)
            let subscription = try await harness.client.submit(spec)
            try await eventually(within: .seconds(120), "some batches counted, not all") {
                let status = try await harness.client.status(experimentID: subscription.experimentID)
                return (status?.batchesCompleted ?? 0) >= 3
            }
            try await harness.orchestrator?.crash()
            try harness.startOrchestrator()
            let outcome = try await subscription.outcome(within: .seconds(180))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            let resubmitted = try await Self.completed(spec, harness)
            #expect(resubmitted.cache?.documentsFromCache == 24 && resubmitted.report == outcome.report)
            let documents = try server.stats().documents
            #expect(documents.count == 24 && documents.values.allSatisfy { $0 == 1 }, "\(documents)")
        }
    }

    /// Two experiments sharing 80 % of their documents, submitted together to two
    /// orchestrators on one PostgreSQL database. The cache is read when an experiment is
    /// planned, so a shared document both plans missed is analysed by both: the bound is
    /// twice, once per experiment, and never more. Submitted again, neither calls anything.
    @Test(.enabled(if: TestPostgres.url != nil, "needs PostgreSQL: set TRIBUTARY_TEST_POSTGRES_URL"))
    func twoOrchestratorsShareOneCache() async throws {
        let database = try await TestPostgres.freshDatabase()
        try await withPipeline { harness in
            harness.databaseURL = database.url
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--latency-ms", "20"])
            defer { server.stop() }
            try harness.startOrchestrator()
            try harness.startPipeline(analysers: 2, analyserArguments: ["--llm-base-url", server.baseURL])
            try await harness.waitUntilReady()
            var first = Self.spec(name: "shared-a", documents: 20)
            var second = Self.spec(name: "shared-b", documents: 20)
            for index in 0..<16 {
                first.documents[index] = Document(id: "shared-\(index)", text: "hope and fear, shared text \(index)")
                second.documents[index] = first.documents[index]
            }
            // Both submitted before either is planned; the two orchestrators take one each or both.
            let subscriptions = [try await harness.client.submit(first), try await harness.client.submit(second)]
            var outcomes: [ExperimentStatus] = []
            for subscription in subscriptions { outcomes.append(try await subscription.outcome(within: .seconds(180))) }
            #expect(outcomes.allSatisfy { $0.state == .completed }, "\(outcomes.map { $0.error ?? "" })")
            let documents = try server.stats().documents
            let shared = (0..<16).map { documents["shared-\($0)"] ?? 0 }
            let own = (first.documents[16...] + second.documents[16...]).map { documents[$0.id] ?? 0 }
            #expect(own.allSatisfy { $0 == 1 } && shared.allSatisfy { (1...2).contains($0) }, "\(documents)")
            let fromCache = outcomes.map { $0.cache?.documentsFromCache ?? 0 }.reduce(0, +)
            #expect(shared.filter { $0 == 1 }.count == fromCache, "every shared document analysed once was the other's cache hit")
            print("shared cache: \(shared.filter { $0 == 2 }.count) of 16 shared documents analysed by both experiments, \(fromCache) taken from the cache")
            let before = try server.stats().requests
            for spec in [first, second] { _ = try await Self.completed(spec, harness) }
            #expect(try server.stats().requests == before)
        }
        await database.drop()
    }

    /// A program's results are cached under the version the deployment declares, and all of
    /// them are analysed again when it moves.
    @Test func anExternalAnalyserIsReRunWhenItsVersionMoves() async throws {
        try await withPipeline { harness in
            let log = "\(harness.directory)/analysed.log"
            let script = try harness.script(
                "counting.sh",
                """
                input=$(cat)
                printf '%s' "$input" | grep -o '"id":"[^"]*"' >> "\(log)"
                printf '%s' "$input" | python3 "\(Repository.path("Deploy/analysers/phrase_counter.py"))"
                """)
            harness.orchestratorArguments = ["--analyser-version", "1"]
            try harness.startPipeline(analysers: 1, analyserArguments: ["--analyser-command", script])
            var spec = Self.spec(name: "external")
            spec.analyser = AnalyserSettings(kind: .external)
            spec.cache = .on
            func analysed() throws -> Int { (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0 }
            let cold = try await Self.completed(spec, harness)
            #expect(try analysed() == 6)
            let warm = try await Self.completed(spec, harness)
            #expect(try analysed() == 6 && warm.report == cold.report)
            try await harness.orchestrator?.crash()
            harness.orchestratorArguments = ["--analyser-version", "2"]
            try harness.startOrchestrator()
            let bumped = try await Self.completed(spec, harness)
            #expect(try analysed() == 12 && bumped.cache?.analyser == "external:2")
        }
    }
}
