import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The language-model lane's budgets, pilot, validation and key handling, through the real
/// executables against the scripted server (the faults a real model will not produce on
/// demand, and exact token counts to check the accounting by).
@Suite(.serialized, TestBroker.required) struct LanguageModelLaneEndToEndTests {
    /// One cent per hundred tokens: a few calls spend a budget of a few units.
    static let pricePerMillion = 10_000.0

    static func modelTable(in harness: PipelineHarness, _ extra: String = "") throws -> String {
        let path = "\(harness.directory)/models.yaml"
        try "m:\n  input_price_per_million: \(pricePerMillion)\n  output_price_per_million: \(pricePerMillion)\n\(extra)"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func spec(name: String, documents: Int) -> ExperimentSpec {
        var spec = Corpus.spec(name: name, documents: documents, batchSize: 1)
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
        return spec
    }

    /// The budget pauses the experiment with its reason; the pause outlives a kill -9 of the
    /// orchestrator; `resume` without more budget is refused; `resume --max-cost` finishes it,
    /// and the ledger's cost is what the server counted at the table's prices.
    @Test func theBudgetPausesTheExperimentAndResumeWithMoreFinishesIt() async throws {
        try await withPipeline { harness in
            // Slow answers, one at a time: the pause lands with most of the corpus left.
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--latency-ms", "150"])
            defer { server.stop() }
            harness.serviceEnvironment["TRIBUTARY_MODELS_FILE"] = try Self.modelTable(in: harness)
            try harness.startPipeline(analysers: 1, analyserConcurrency: 1, analyserArguments: ["--llm-base-url", server.baseURL])
            var spec = Self.spec(name: "budgeted", documents: 12)
            spec.budget = Budget(maxCost: 10)
            let id = try await harness.client.submit(spec).experimentID
            try await eventually(within: .seconds(120), "the experiment to pause on its budget") {
                let status = try await harness.client.status(experimentID: id)
                return status?.state == .paused && status?.inFlight == 0
            }
            let paused = try #require(try await harness.client.status(experimentID: id))
            #expect(paused.pauseReason == .budget)
            let spent = try #require(paused.ledger)
            #expect(spent.cost >= 10, "paused at \(spent.cost) of 10")
            #expect(paused.batchesCompleted < 12, "every batch completed before the budget paused it")
            // What ran out before the pause finished and was counted: the server answered no more.
            #expect(spent.requests == (try server.stats()).answered)

            // The pause is state, not memory.
            try await harness.orchestrator?.crash()
            try harness.startOrchestrator()
            try await eventually(within: .seconds(60), "the new orchestrator to answer") {
                try await harness.client.status(experimentID: id) != nil
            }
            let afterRestart = try #require(try await harness.client.status(experimentID: id))
            #expect(afterRestart.state == .paused && afterRestart.pauseReason == .budget)
            #expect(afterRestart.ledger == spent)

            let refused = try harness.runClient(["resume", id])
            #expect(try await refused.waitForExit(within: .seconds(30)) == 1, "resume with the budget spent must exit 1:\n\(refused.log)")
            #expect(refused.log.contains("still paused"))
            let resumed = try harness.runClient(["resume", id, "--max-cost", "1000"])
            #expect(try await resumed.waitForExit(within: .seconds(30)) == 0, "\(resumed.log)")

            let outcome = try await harness.client.follow(experimentID: id).outcome(within: .seconds(180))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.batchesCompleted == 12 && outcome.synthesisRequests == 1)
            let stats = try server.stats()
            let ledger = try #require(outcome.ledger)
            #expect(ledger.requests == stats.answered)
            #expect(ledger.inputTokens == stats.promptTokensAnswered && ledger.outputTokens == stats.completionTokensAnswered)
            let cost = Double(stats.promptTokensAnswered + stats.completionTokensAnswered) * Self.pricePerMillion / 1_000_000
            #expect(abs(ledger.cost - cost) < 0.005, "ledger \(ledger.cost), server's tokens at the prices \(cost)")
            print("budget e2e: paused at \(spent.cost) of 10 after \(paused.batchesCompleted) batches; finished at \(ledger.cost), server \(cost)")
        }
    }

    /// A model the endpoint does not serve, or a key it refuses, fails the experiment in the
    /// pilot with the endpoint's own words, and no analyse task is ever published.
    @Test(arguments: ["model", "key"])
    func theWrongModelOrKeyFailsInThePilot(wrong: String) async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--model", "m", "--key", "right-key"])
            defer { server.stop() }
            let keyFile = "\(harness.directory)/key"
            try (wrong == "key" ? "wrong-key" : "right-key").write(toFile: keyFile, atomically: true, encoding: .utf8)
            try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL, "--llm-api-key-file", keyFile])
            var spec = Self.spec(name: "wrong-\(wrong)", documents: 6)
            if wrong == "model" { spec.analyser?.model = "no-such-model" }
            try await harness.waitUntilReady()
            let started = ContinuousClock.now
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(120))
            #expect(outcome.state == .failed)
            let error = outcome.error ?? ""
            #expect(error.contains("pilot"), "\(error)")
            #expect(error.contains(wrong == "model" ? "does not exist" : "Incorrect API key"), "\(error)")
            #expect(ContinuousClock.now - started < .seconds(60))
            // One call, the pilot's first, and no batch planned: nothing was published to analyse.
            #expect(try server.stats().requests == 1)
            #expect(outcome.batchCount == 0 && outcome.batchesCompleted == 0 && outcome.inFlight == 0)
        }
    }

    /// Each answer invalid once and repaired: every document counted once, its repair in the
    /// ledger. Hallucinated quotes: dropped, counted, and absent from the report. Always
    /// invalid: the batches fail for good with `invalid_model_output`.
    @Test func repairsAndHallucinatedQuotesAreCountedOnceAndInvalidOutputFails() async throws {
        try await withPipeline { harness in
            let repairing = try await ScriptedModelServer(directory: harness.directory, arguments: ["--fault", "invalid-once"])
            defer { repairing.stop() }
            let inventing = try await ScriptedModelServer(directory: harness.directory, arguments: ["--fault", "hallucinated-quote"])
            defer { inventing.stop() }
            let violating = try await ScriptedModelServer(directory: harness.directory, arguments: ["--fault", "schema-violation"])
            defer { violating.stop() }
            // One pipeline per server would triple the start-up; three analysers each with its
            // own endpoint would mix them. Run the three experiments one after another instead.
            for (server, name) in [(repairing, "repaired"), (inventing, "invented"), (violating, "violating")] {
                for process in harness.processes where process.isRunning && !process.name.hasPrefix("orchestrator") { try await process.crash() }
                if harness.orchestrator == nil { try harness.startOrchestrator() }
                try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL], startingOrchestrator: false)
                var spec = Self.spec(name: name, documents: 4)
                spec.analyser?.pilotDocuments = 0
                spec.tolerateFailedBatches = .count(4)
                let outcome = try await harness.client.submit(spec).outcome(within: .seconds(120))
                let stats = try server.stats()
                let ledger = try #require(outcome.ledger)
                switch name {
                case "repaired":
                    #expect(outcome.state == .completed && outcome.batchesCompleted == 4 && outcome.failedBatches == 0)
                    #expect(ledger.repairs == 4 && ledger.requests == 8 && stats.answered == 8, "\(ledger)")
                case "invented":
                    #expect(outcome.state == .completed && outcome.batchesCompleted == 4)
                    // Two dimensions, one invented quote each, in every document.
                    #expect(ledger.unverifiedEvidence == 8, "\(ledger)")
                    let markdown = outcome.report?["report_markdown"]
                    #expect(markdown != nil && !"\(markdown!)".contains("words that are not in the document"))
                default:
                    #expect(outcome.failedBatches == 4, "\(outcome.state) \(outcome.error ?? "")")
                    #expect(ledger.requests == 8 && ledger.repairs == 4, "\(ledger)")
                }
                #expect(ledger.inputTokens == stats.promptTokensAnswered && ledger.outputTokens == stats.completionTokensAnswered)
            }
        }
    }

    /// kill -9 of an analyser mid-call, then of the orchestrator mid-fan-out: one synthesis,
    /// every document counted once, and the ledger holds each counted result's call once
    /// (calls answered to the killed agent are the server's loss, not the ledger's).
    @Test func killsMidCallAndMidFanOutCountTheLedgerOnce() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--latency-ms", "300"])
            defer { server.stop() }
            harness.serviceEnvironment["TRIBUTARY_MODELS_FILE"] = try Self.modelTable(in: harness)
            try harness.startPipeline(analysers: 2, analyserConcurrency: 4, analyserArguments: ["--llm-base-url", server.baseURL])
            var spec = Self.spec(name: "killed", documents: 40)
            spec.analyser?.pilotDocuments = 0
            let subscription = try await harness.client.submit(spec)
            let id = subscription.experimentID
            @Sendable func counted() async throws -> Int { try await harness.client.status(experimentID: id)?.batchesCompleted ?? 0 }
            try await eventually(within: .seconds(60), "5 batches counted") { try await counted() >= 5 }
            // Its calls take 300 ms each, four at a time: it dies with calls open.
            let analyser = try #require(harness.processes.first { $0.name.hasPrefix("analyse-batch-agent") && $0.isRunning })
            try await analyser.crash()
            try harness.startAnalyser(5, concurrency: 4, arguments: ["--llm-base-url", server.baseURL])
            try await eventually(within: .seconds(60), "15 batches counted") { try await counted() >= 15 }
            try await harness.orchestrator?.crash()
            try harness.startOrchestrator()

            let outcome = try await subscription.outcome(within: .seconds(240))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.batchesCompleted == 40 && outcome.synthesisRequests == 1)
            let ledger = try #require(outcome.ledger)
            let stats = try server.stats()
            #expect(ledger.requests == 40, "\(ledger)")
            #expect(stats.answered >= 40 && ledger.inputTokens <= stats.promptTokensAnswered)
            print("llm kill e2e: the server answered \(stats.answered) calls; the ledger counted \(ledger.requests)")
            let cost = Double(ledger.inputTokens + ledger.outputTokens) * Self.pricePerMillion / 1_000_000
            #expect(abs(ledger.cost - cost) < 0.005)
        }
    }

    /// The key reaches the endpoint and nothing else: no service's log or command line, no
    /// status, no error, no `--help`.
    @Test func theAPIKeyAppearsNowhereButInTheRequest() async throws {
        try await withPipeline { harness in
            let key = "sk-tributary-\(UUID().uuidString)"
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--key", key, "--model", "m"])
            defer { server.stop() }
            let keyFile = "\(harness.directory)/key"
            try key.write(toFile: keyFile, atomically: true, encoding: .utf8)
            harness.serviceArguments += ["--log-level", "debug"]
            try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL, "--llm-api-key-file", keyFile])
            // A second analyser takes the key from its environment variable.
            let second = try harness.startAnalyser(1, environment: ["TRIBUTARY_LLM_API_KEY": key], arguments: ["--llm-base-url", server.baseURL])
            try await harness.waitUntilReady()
            let outcome = try await harness.client.submit(Self.spec(name: "keyed", documents: 6)).outcome(within: .seconds(120))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(try server.stats().answered >= 6)
            // And an error from the endpoint, to look for the key in.
            var wrong = Self.spec(name: "keyed-wrong-model", documents: 2)
            wrong.analyser?.model = "no-such-model"
            let failed = try await harness.client.submit(wrong).outcome(within: .seconds(120))
            #expect(failed.state == .failed && (failed.error ?? "").contains("does not exist"), "\(failed.error ?? "")")

            var places: [(String, String)] = [
                ("status", String(decoding: try MessageCoding.encode(outcome), as: UTF8.self)),
                ("failed status", String(decoding: try MessageCoding.encode(failed), as: UTF8.self)),
            ]
            for process in harness.processes where process.isRunning {
                let commandLine = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
                places.append(("\(process.name) /proc/\(process.processIdentifier)/cmdline", commandLine))
            }
            for executable in ["analyse-batch-agent", "pre-test-agent"] {
                let help = try harness.runService(executable, ["--help"], environment: ["TRIBUTARY_LLM_API_KEY": key])
                _ = try await help.waitForExit(within: .seconds(30))
                places.append(("\(executable) --help", help.log))
            }
            _ = try await second.terminate()
            for process in harness.processes { places.append(("\(process.name) log", process.log)) }
            for (place, text) in places {
                #expect(!text.contains(key), "the API key is in \(place)")
            }
        }
    }
}
