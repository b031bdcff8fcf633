import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The orchestrator's limiter against a server that meters like a provider: three analysers
/// at concurrency 8 call it as fast as they are let, for more than 90 s, and it must never
/// answer 429, while at least 90 % of what its budget allowed over the run is used.
@Suite(.serialized, TestBroker.required) struct RateLimitEndToEndTests {
    enum Binding: String, CaseIterable, Sendable {
        case requests, tokens
    }

    @Test(arguments: Binding.allCases)
    func sharedLimitsHoldWithoutA429AndTheBudgetIsUsed(binding: Binding) async throws {
        try await withPipeline { harness in try await Self.runMetered(binding, in: harness) }
    }

    /// The same with two orchestrators on one PostgreSQL database, both consuming results and
    /// dispatching: the buckets are rows both draw from, so the limit holds for the pair.
    @Test(.enabled(if: TestPostgres.url != nil, "needs PostgreSQL: set TRIBUTARY_TEST_POSTGRES_URL"))
    func twoOrchestratorsOnPostgreSQLShareTheLimit() async throws {
        let database = try await TestPostgres.freshDatabase()
        try await withPipeline { harness in
            harness.databaseURL = database.url
            try await Self.runMetered(.tokens, in: harness, orchestrators: 2)
        }
        await database.drop()
    }

    static func runMetered(_ binding: Binding, in harness: PipelineHarness, orchestrators: Int = 1) async throws {
        do {
            // Requests: 120 a minute. Tokens: 16,000 a minute, about 120 of these calls (each about 133 tokens).
            let (rpm, tpm): (Double?, Double?) = binding == .requests ? (120, nil) : (nil, 16_000)
            let server = try await ScriptedModelServer(
                directory: harness.directory, arguments: (rpm.map { ["--rpm", "\($0)"] } ?? []) + (tpm.map { ["--tpm", "\($0)"] } ?? []))
            defer { server.stop() }
            let table = "\(harness.directory)/models.yaml"
            var entry = "m:\n  input_price_per_million: 0.10\n  output_price_per_million: 0.40\n"
            if let rpm { entry += "  requests_per_minute: \(rpm)\n" }
            if let tpm { entry += "  tokens_per_minute: \(tpm)\n" }
            try entry.write(toFile: table, atomically: true, encoding: .utf8)
            harness.serviceEnvironment["TRIBUTARY_MODELS_FILE"] = table
            for _ in 1..<orchestrators { try harness.startOrchestrator() }
            try harness.startPipeline(analysers: 3, analyserConcurrency: 8, analyserArguments: ["--llm-base-url", server.baseURL])
            var spec = Corpus.spec(name: "metered-\(binding.rawValue)", documents: 320, batchSize: 1)
            spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(400))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.batchesCompleted == 320)
            let stats = try server.stats()
            #expect(stats.rateLimited == 0, "the server refused \(stats.rateLimited) calls")
            #expect(stats.span >= 90, "the run took \(stats.span) s; it must be long enough to prove the refill")
            // What the budget allowed over the run: a full bucket, then the per-minute rate.
            let allowed: Double
            let used: Double
            switch binding {
            case .requests:
                allowed = rpm! + rpm! / 60 * stats.span
                used = Double(stats.answered)
            case .tokens:
                allowed = tpm! + tpm! / 60 * stats.span
                used = Double(stats.tokensAnswered)
            }
            #expect(used / allowed >= 0.9, "used \(used) of \(allowed) allowed (\(used / allowed))")
            print(
                "rate-limit e2e (\(binding.rawValue), \(orchestrators) orchestrator(s)): \(stats.answered) calls, \(stats.tokensAnswered) tokens in \(stats.span) s; used \(used / allowed) of the budget"
            )
            // The ledger counted every call once, at the table's prices.
            let ledger = try #require(outcome.ledger)
            #expect(ledger.requests == stats.answered && ledger.totalTokens == stats.tokensAnswered)
            let cost = (Double(ledger.inputTokens) * 0.10 + Double(ledger.outputTokens) * 0.40) / 1_000_000
            #expect(abs(ledger.cost - cost) < 0.005)
        }
    }

    /// 40 % of calls answered 429 with Retry-After 2 s: the experiment completes, no batch
    /// spends an attempt on a 429 (one attempt allowed), and the model's dispatch waits out
    /// each Retry-After.
    @Test func aStormOf429sIsWaitedOutWithoutSpendingAttempts() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--storm", "0.4", "--retry-after", "2"])
            defer { server.stop() }
            let table = "\(harness.directory)/models.yaml"
            try "m:\n  requests_per_minute: 600\n".write(toFile: table, atomically: true, encoding: .utf8)
            harness.serviceEnvironment["TRIBUTARY_MODELS_FILE"] = table
            try harness.startPipeline(analysers: 3, analyserConcurrency: 8, analyserArguments: ["--llm-base-url", server.baseURL])
            var spec = Corpus.spec(name: "storm", documents: 30, batchSize: 1)
            spec.analyser = AnalyserSettings(kind: .llm, model: "m")
            spec.retry = RetryPolicy(maxAttempts: 1, initialBackoff: .seconds(1), maxBackoff: .seconds(1))
            let started = ContinuousClock.now
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(300))
            let elapsed = ContinuousClock.now - started
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.failedBatches == 0 && outcome.batchesCompleted == 30)
            let stats = try server.stats()
            #expect(stats.stormed > 0 && outcome.ledger?.rateLimited == stats.stormed)
            // Every storm waits 2 s before anything goes to the model again: the run is at least
            // as long as the storms that could not overlap.
            #expect(elapsed >= .seconds(2), "\(elapsed)")
        }
    }
}
