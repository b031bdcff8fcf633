import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

@Suite struct RateLimitedDispatchTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    let prices = ModelLimits(requestsPerMinute: 60, tokensPerMinute: 1_000_000, inputPricePerMillion: 0.10, outputPricePerMillion: 0.40)

    func orchestrator(_ limits: ModelLimits? = nil) -> Orchestrator {
        Orchestrator(models: ModelTable(["m": limits ?? prices]), rateHeadroom: 1)
    }

    func spec(documents: Int, maxAttempts: Int = 3) -> ExperimentSpec {
        var spec = Fixtures.spec(
            documents: documents, batchSize: 1, retry: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .seconds(1), maxBackoff: .seconds(1)))
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
        return spec
    }

    /// Submits and answers the pre-test; returns the analyse tasks sent.
    func start(_ id: String, _ spec: ExperimentSpec, _ orchestrator: Orchestrator, _ store: InMemoryExperimentStore, at time: Date? = nil) throws
        -> [TaskMessage]
    {
        _ = try orchestrator.handle(.request(Fixtures.request(id, spec)), at: time ?? now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        _ = try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: time ?? now, in: store)
        return Fixtures.tasks(in: store.drainOutbox())
    }

    func result(_ task: TaskMessage, usage: ModelUsage?, failure: TaskFailure? = nil) throws -> TaskResult<RawJSON> {
        let output = BatchAnalysis(batchIndex: task.batchIndex ?? 0, documents: [], usage: usage)
        return TaskResult(
            task: task.identity, attempt: task.attempt, run: task.run, status: failure == nil ? .completed : .failed,
            result: failure == nil ? RawJSON(bytes: try MessageCoding.encode(output)) : nil, error: failure, workerID: "w", startedAt: now,
            finishedAt: now)
    }

    @Test func requestsPerMinuteHoldDispatchAcrossExperimentsAndTheTimerResumesIt() throws {
        let store = InMemoryExperimentStore()
        let orchestrator = orchestrator()
        let first = try start("e1", spec(documents: 50), orchestrator, store)
        let second = try start("e2", spec(documents: 50), orchestrator, store)
        #expect(first.count == 50 && second.count == 10, "60 a minute between them")
        #expect(try store.experiment(id: "e2")?.stepDueAt == now + 1, "woken when the next request is allowed")
        _ = try orchestrator.fireTimers(at: now + 1, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).count == 1)
        _ = try orchestrator.fireTimers(at: now + 11, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).count == 10)
    }

    @Test func unmeteredModelsAndOtherKindsAreNotHeld() throws {
        let store = InMemoryExperimentStore()
        var other = spec(documents: 100)
        other.analyser?.model = "unknown-model"
        #expect(try start("e1", other, orchestrator(), store).count == 100)
        var plain = spec(documents: 100)
        plain.analyser = nil
        #expect(try start("e2", plain, orchestrator(), store).count == 100)
    }

    @Test func aRateLimitedAttemptIsSentAgainAfterRetryAfterWithoutSpendingAnAttempt() throws {
        let store = InMemoryExperimentStore()
        let orchestrator = orchestrator()
        let tasks = try start("e1", spec(documents: 2, maxAttempts: 1), orchestrator, store)
        let limited = TaskFailure(code: TaskFailure.rateLimitedCode, message: "429", retryAfterSeconds: 2)
        _ = try orchestrator.handle(.result(try result(tasks[0], usage: nil, failure: limited)), at: now, in: store)
        #expect(try store.experiment(id: "e1")?.state == .analysing, "max_attempts 1, yet the batch is not failed")
        // The model is held for every experiment until Retry-After.
        let later = try start("e2", spec(documents: 1), orchestrator, store, at: now + 1)
        #expect(later.isEmpty)
        _ = try orchestrator.fireTimers(at: now + 1.5, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty)
        _ = try orchestrator.fireTimers(at: now + 2, in: store)
        let resent = Fixtures.tasks(in: store.drainOutbox())
        #expect(resent.first { $0.experimentID == "e1" && $0.batchIndex == 0 }?.attempt == 2, "a new message id")
        #expect(resent.contains { $0.experimentID == "e2" }, "the other experiment's batch waited too, and goes now")
        let record = try #require(try store.experiment(id: "e1"))
        #expect(record.analysis?.ledger.rateLimited == 1)
        // The re-sent attempt completes the batch: the rate-limited one did not count.
        let again = try #require(resent.first { $0.experimentID == "e1" && $0.batchIndex == 0 })
        _ = try orchestrator.handle(
            .result(try result(again, usage: ModelUsage(model: "m", requests: 1, inputTokens: 10, outputTokens: 5))), at: now + 3, in: store)
        _ = try orchestrator.handle(
            .result(try result(tasks[1], usage: ModelUsage(model: "m", requests: 1, inputTokens: 10, outputTokens: 5))), at: now + 3, in: store)
        #expect(try store.experiment(id: "e1")?.state == .synthesising)
    }

    @Test func theLedgerCountsEachCountedResultOnceAtTheTablesPrices() throws {
        let store = InMemoryExperimentStore()
        let orchestrator = orchestrator()
        let tasks = try start("e1", spec(documents: 2), orchestrator, store)
        let usage = ModelUsage(model: "m", requests: 2, inputTokens: 1_000_000, outputTokens: 250_000, repairs: 1, unverifiedEvidence: 2)
        let answer = try result(tasks[0], usage: usage)
        _ = try orchestrator.handle(.result(answer), at: now, in: store)
        _ = try orchestrator.handle(.result(answer), at: now, in: store)  // a redelivery
        let failed = TaskFailure(code: "invalid_model_output", message: "twice invalid", permanent: true)
        var paidFailure = failed
        paidFailure.usage = ModelUsage(model: "m", requests: 2, inputTokens: 100, outputTokens: 40, repairs: 1)
        _ = try orchestrator.handle(.result(try result(tasks[1], usage: nil, failure: paidFailure)), at: now, in: store)
        let record = try #require(try store.experiment(id: "e1"))
        let ledger = try #require(record.analysis?.ledger)
        #expect(ledger.requests == 4 && ledger.inputTokens == 1_000_100 && ledger.outputTokens == 250_040 && ledger.repairs == 2)
        #expect(abs(ledger.cost - (0.10 + 0.10 + 100 * 0.10 / 1e6 + 40 * 0.40 / 1e6)) < 1e-12)
        let status = ExperimentStatus(record: record, at: now)
        #expect(status.model == "m" && status.ledger == ledger)
        #expect(record.analysis?.reservations.isEmpty == true, "every reservation settled")
    }

    @Test func tokenEstimatesAreCorrectedFromUsage() throws {
        let store = InMemoryExperimentStore()
        let orchestrator = orchestrator(ModelLimits(tokensPerMinute: 100_000))
        let tasks = try start("e1", spec(documents: 3), orchestrator, store)
        let reserved = try #require(try store.experiment(id: "e1")?.analysis?.reservations[0])
        let before = try #require(store.modelRates["m"]?.tokens)
        _ = try orchestrator.handle(
            .result(try result(tasks[0], usage: ModelUsage(model: "m", requests: 1, inputTokens: 20, outputTokens: 10))), at: now, in: store)
        let after = try #require(store.modelRates["m"]?.tokens)
        #expect(abs(after - (before + Double(reserved - 30))) < 1e-6, "the over-estimate is given back")
        #expect(try store.experiment(id: "e1")?.analysis?.recentOutputs == [10])
    }

    /// With several models each batch is admitted, metered and priced under its own model:
    /// model a's limit holds a's batches, b's own budget is charged for b's, and the ledger
    /// prices each call at its model's rates.
    @Test func severalModelsAreEachMeteredUnderTheirOwnLimits() throws {
        let store = InMemoryExperimentStore()
        let orchestrator = Orchestrator(
            models: ModelTable([
                "a": ModelLimits(requestsPerMinute: 5, inputPricePerMillion: 1_000_000),
                "b": ModelLimits(requestsPerMinute: 600, inputPricePerMillion: 2_000_000),
            ]), rateHeadroom: 1)
        var spec = spec(documents: 8)
        spec.analyser?.model = nil
        spec.analyser?.models = ["a", "b"]
        let sent = try start("e1", spec, orchestrator, store)
        #expect(sent.map { $0.analyseBatchPayload?.analyser?.model } == Array(repeating: "a", count: 5), "a's 5 a minute; b's wait their turn")
        _ = try orchestrator.fireTimers(at: now + 60, in: store)
        let later = Fixtures.tasks(in: store.drainOutbox())
        #expect(later.map { $0.analyseBatchPayload?.analyser?.model } == ["a", "a", "a"] + Array(repeating: "b", count: 8))
        #expect((try store.modelRate(model: "b")) != nil, "b's batches were admitted against b's bucket")
        for task in sent.prefix(1) + later.suffix(1) {
            let model = task.analyseBatchPayload?.analyser?.model ?? ""
            let usage = ModelUsage(model: model, requests: 1, inputTokens: 1, outputTokens: 0)
            _ = try orchestrator.handle(.result(try result(task, usage: usage)), at: now + 60, in: store)
        }
        let ledger = try #require(try store.experiment(id: "e1")?.analysis?.ledger)
        #expect(abs(ledger.cost - 3) < 1e-9, "one input token at a's price (1) and one at b's (2): \(ledger.cost)")
    }
}
