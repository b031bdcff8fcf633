import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

/// Budgets, pause and resume, and the pilot's accounting, without a broker.
@Suite struct BudgetPauseTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    // A million tokens cost 1.00 in and 2.00 out: 1,000 in + 500 out is 0.002 a batch.
    let prices = ModelLimits(inputPricePerMillion: 1, outputPricePerMillion: 2)
    let usage = ModelUsage(model: "m", requests: 1, inputTokens: 1_000, outputTokens: 500)

    var orchestrator: Orchestrator { Orchestrator(models: ModelTable(["m": prices]), rateHeadroom: 1) }

    func spec(documents: Int, maxInFlight: Int, budget: Budget?) -> ExperimentSpec {
        var spec = Fixtures.spec(documents: documents, batchSize: 1)
        spec.maxInFlight = maxInFlight
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
        spec.budget = budget
        return spec
    }

    func start(_ spec: ExperimentSpec, _ store: InMemoryExperimentStore, plan: PreTestResult? = nil) throws -> [TaskMessage] {
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        var result = Fixtures.result(for: preTest)
        if let plan { result.result = RawJSON(bytes: try MessageCoding.encode(plan)) }
        _ = try orchestrator.handle(.result(result), at: now, in: store)
        return Fixtures.tasks(in: store.drainOutbox())
    }

    func completed(_ task: TaskMessage) throws -> Orchestrator.Input {
        let output = BatchAnalysis(batchIndex: task.batchIndex ?? 0, documents: [], usage: usage)
        return .result(
            TaskResult(
                task: task.identity, attempt: task.attempt, run: task.run, status: .completed, result: RawJSON(bytes: try MessageCoding.encode(output)),
                workerID: "w", startedAt: now, finishedAt: now))
    }

    @Test func reachingTheBudgetPausesAndTheRunningTasksAreStillCounted() throws {
        let store = InMemoryExperimentStore()
        let tasks = try start(spec(documents: 10, maxInFlight: 3, budget: Budget(maxCost: 0.004)), store)
        #expect(tasks.count == 3)
        _ = try orchestrator.handle(try completed(tasks[0]), at: now, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "the two still out are projected to spend the rest")
        let paused = try orchestrator.handle(try completed(tasks[1]), at: now, in: store)
        #expect(paused.event == .experimentPaused)
        var record = try #require(try store.experiment(id: "e1"))
        #expect(record.state == .paused && record.pauseReason == .budget)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "nothing new goes out")
        // A task already out finishes and is counted, and still nothing is sent.
        _ = try orchestrator.handle(try completed(tasks[2]), at: now, in: store)
        record = try #require(try store.experiment(id: "e1"))
        #expect(record.state == .paused && record.batchesCompleted == 3)
        #expect(abs((record.analysis?.ledger.cost ?? 0) - 0.006) < 1e-12)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty)
        let status = ExperimentStatus(record: record, at: now)
        #expect(status.pauseReason == .budget && status.budget == Budget(maxCost: 0.004))
    }

    /// With room for every batch under max_in_flight, the budget still lets out only what it
    /// is projected to pay for: from the pilot's cost a call at first, then the results'.
    @Test func theBudgetLetsOutOnlyWhatItCanPayFor() throws {
        let store = InMemoryExperimentStore()
        let pilot = CostEstimate.Pilot(documents: 1, bytes: 15, usage: usage, seconds: 1)
        let plan = PreTestResult(batches: (0..<12).map { ["d\($0)"] }, pilot: pilot, corpusBytes: 180)
        // The pilot spent 0.002; 0.005 is left, two calls' worth.
        var sent = try start(spec(documents: 12, maxInFlight: 1_000, budget: Budget(maxCost: 0.007)), store, plan: plan)
        #expect(sent.count == 2)
        _ = try orchestrator.handle(try completed(sent[0]), at: now, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "0.003 left and one call out: nothing more")
        _ = try orchestrator.handle(try completed(sent[1]), at: now, in: store)
        // 0.006 spent, not reached, nothing out: one more may go, though it will overshoot.
        sent = Fixtures.tasks(in: store.drainOutbox())
        #expect(sent.count == 1)
        let paused = try orchestrator.handle(try completed(sent[0]), at: now, in: store)
        #expect(paused.event == .experimentPaused)
        let record = try #require(try store.experiment(id: "e1"))
        #expect(record.state == .paused && record.batchesCompleted == 3 && record.inFlight == 0)
        #expect(abs((record.analysis?.ledger.cost ?? 0) - 0.008) < 1e-12)
    }

    @Test func resumeWithoutMoreBudgetIsRefusedAndWithMoreItFinishes() throws {
        let store = InMemoryExperimentStore()
        var sent = try start(spec(documents: 4, maxInFlight: 1, budget: Budget(maxCost: 0.002)), store)
        _ = try orchestrator.handle(try completed(sent[0]), at: now, in: store)
        #expect(try store.experiment(id: "e1")?.state == .paused)
        let refused = try orchestrator.handle(.resume(ExperimentControlRequest(experimentID: "e1")), at: now, in: store)
        let stillPaused = try store.experiment(id: "e1")?.state
        #expect(refused.event == .resumeRefused && stillPaused == .paused)
        let resumed = try orchestrator.handle(.resume(ExperimentControlRequest(experimentID: "e1", maxCost: 1)), at: now, in: store)
        #expect(resumed.event == .experimentResumed)
        var synthesised = false
        for _ in 0..<4 {
            sent = Fixtures.tasks(in: store.drainOutbox())
            if sent.contains(where: { $0.taskType == .corpusSynthesis }) {
                synthesised = true
                break
            }
            for task in sent { _ = try orchestrator.handle(try completed(task), at: now, in: store) }
        }
        #expect(synthesised)
        let record = try #require(try store.experiment(id: "e1"))
        #expect(record.batchesCompleted == 4 && record.synthesisRequests == 1 && record.analysis?.budget?.maxCost == 1)
    }

    @Test func aPausedExperimentWhoseBatchesAllEndedIsNotSynthesisedUntilResumed() throws {
        let store = InMemoryExperimentStore()
        let tasks = try start(spec(documents: 2, maxInFlight: 2, budget: nil), store)
        #expect(try orchestrator.handle(.pause(ExperimentControlRequest(experimentID: "e1")), at: now, in: store).event == .experimentPaused)
        for task in tasks { _ = try orchestrator.handle(try completed(task), at: now, in: store) }
        #expect(try store.experiment(id: "e1")?.state == .paused)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "no synthesis while paused")
        _ = try orchestrator.handle(.resume(ExperimentControlRequest(experimentID: "e1")), at: now, in: store)
        #expect(try store.experiment(id: "e1")?.state == .synthesising)
        #expect(Fixtures.tasks(in: store.drainOutbox()).map(\.taskType) == [.corpusSynthesis])
    }

    @Test func timersThatComeDueWhilePausedAreRearmedOnResume() throws {
        let store = InMemoryExperimentStore()
        let tasks = try start(spec(documents: 2, maxInFlight: 2, budget: nil), store)
        _ = try orchestrator.handle(.pause(ExperimentControlRequest(experimentID: "e1")), at: now, in: store)
        let late = now + 3_600
        _ = try orchestrator.fireTimers(at: late, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "a deadline passing while paused sends nothing")
        _ = try orchestrator.handle(.resume(ExperimentControlRequest(experimentID: "e1")), at: late, in: store)
        _ = try orchestrator.fireTimers(at: late, in: store)
        let resent = Fixtures.tasks(in: store.drainOutbox())
        #expect(Set(resent.compactMap(\.batchIndex)) == Set(tasks.compactMap(\.batchIndex)) && resent.allSatisfy { $0.attempt == 2 })
    }

    @Test func pauseAndResumeOutsideTheirStatesChangeNothing() throws {
        let store = InMemoryExperimentStore()
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec(documents: 2, maxInFlight: 2, budget: nil))), at: now, in: store)
        #expect(try orchestrator.handle(.pause(ExperimentControlRequest(experimentID: "e1")), at: now, in: store).event == .pauseIgnored)
        #expect(try orchestrator.handle(.resume(ExperimentControlRequest(experimentID: "e1")), at: now, in: store).event == .resumeIgnored)
        #expect(try store.experiment(id: "e1")?.state == .preTesting)
    }

    @Test func thePilotIsPaidForAndScalesTheEstimate() throws {
        let store = InMemoryExperimentStore()
        let pilot = CostEstimate.Pilot(documents: 2, bytes: 30, usage: ModelUsage(model: "m", requests: 2, inputTokens: 300, outputTokens: 100), seconds: 3)
        let plan = PreTestResult(batches: [["d0"], ["d1"], ["d2"], ["d3"]], pilot: pilot, corpusBytes: 60)
        let tasks = try start(spec(documents: 4, maxInFlight: 10, budget: nil), store, plan: plan)
        #expect(tasks.count == 4)
        let analysis = try #require(try store.experiment(id: "e1")?.analysis)
        #expect(analysis.ledger.requests == 2 && analysis.ledger.inputTokens == 300 && analysis.ledger.outputTokens == 100)
        let estimate = try #require(analysis.estimate)
        #expect(estimate.basis == .pilot && estimate.requests == 4 && estimate.outputTokens == 200)
        #expect(estimate.inputTokens >= 590 && estimate.inputTokens <= 610, "twice the pilot's input for twice its text: \(estimate.inputTokens)")
        #expect(estimate.secondsPerCall == 1.5)
    }

    @Test func aPilotThatSpendsTheBudgetPausesBeforeAnyBatchGoesOut() throws {
        let store = InMemoryExperimentStore()
        let pilot = CostEstimate.Pilot(documents: 1, bytes: 15, usage: ModelUsage(model: "m", requests: 1, inputTokens: 600, outputTokens: 10), seconds: 1)
        let plan = PreTestResult(batches: [["d0"], ["d1"]], pilot: pilot, corpusBytes: 30)
        let tasks = try start(spec(documents: 2, maxInFlight: 10, budget: Budget(maxTokens: 500)), store, plan: plan)
        #expect(tasks.isEmpty)
        #expect(try store.experiment(id: "e1")?.state == .paused)
    }

    @Test func theCorpusEstimateUsesTheLimitersGuessAndTheModelsLimits() {
        let limits = ModelLimits(requestsPerMinute: 60, tokensPerMinute: 6_000, inputPricePerMillion: 1, outputPricePerMillion: 2)
        let estimate = CostEstimate.make(documents: 10, bytes: 3_000, promptOverheadBytes: 300, maxOutputTokens: 100, limits: limits)
        #expect(estimate.basis == .corpus && estimate.requests == 10 && estimate.outputTokens == 1_000)
        #expect(estimate.inputTokens == (3_000 + 10 * 302) / 3 + 80)
        #expect(estimate.seconds == Double(estimate.totalTokens) / 6_000 * 60, "tokens bind: more minutes than 10 requests at 60/min")
        #expect(estimate.cost == limits.cost(inputTokens: estimate.inputTokens, outputTokens: 1_000))
    }

    @Test func aBatchRefusedForTheRateLimitTooOftenSpendsItsAttempts() throws {
        let store = InMemoryExperimentStore()
        var sent = try start(spec(documents: 1, maxInFlight: 1, budget: nil), store)
        let limited = TaskFailure(code: TaskFailure.rateLimitedCode, message: "429", retryAfterSeconds: 0)
        var time = now
        func refuse(_ task: TaskMessage) throws {
            let result = TaskResult<RawJSON>(
                task: task.identity, attempt: task.attempt, run: task.run, status: .failed, error: limited, workerID: "w", startedAt: time,
                finishedAt: time)
            _ = try orchestrator.handle(.result(result), at: time, in: store)
        }
        for _ in 0..<Orchestrator.maxRateLimitedAttempts {
            let task = try #require(sent.first)
            try refuse(task)
            time += 1
            _ = try orchestrator.fireTimers(at: time, in: store)
            sent = Fixtures.tasks(in: store.drainOutbox())
        }
        let task = try #require(sent.first)
        try refuse(task)
        let batch = try #require(try store.batch(experimentID: "e1", index: 0))
        #expect(batch.state == .retryWait && batch.lastError?.contains("refused for the rate limit 50 times") == true)
    }

    /// A pilot refused for the rate limit waits out its Retry-After and goes again without
    /// spending an attempt, even with a single attempt allowed.
    @Test func aRateLimitedPilotIsSentAgainWithoutSpendingAnAttempt() throws {
        let store = InMemoryExperimentStore()
        var spec = spec(documents: 2, maxInFlight: 2, budget: nil)
        spec.retry = RetryPolicy(maxAttempts: 1, initialBackoff: .seconds(1), maxBackoff: .seconds(1))
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        let limited = TaskFailure(code: TaskFailure.rateLimitedCode, message: "pilot on document d0: 429", retryAfterSeconds: 2)
        let refused = TaskResult<RawJSON>(
            task: preTest.identity, attempt: preTest.attempt, run: preTest.run, status: .failed, error: limited, workerID: "w", startedAt: now,
            finishedAt: now)
        _ = try orchestrator.handle(.result(refused), at: now, in: store)
        var record = try #require(try store.experiment(id: "e1"))
        #expect(record.state == .preTesting && record.analysis?.ledger.rateLimited == 1)
        #expect(record.stepDueAt == now + 2)
        _ = try orchestrator.fireTimers(at: now + 1, in: store)
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty, "the Retry-After has not passed")
        _ = try orchestrator.fireTimers(at: now + 2, in: store)
        let again = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        #expect(again.taskType == .preTest && again.attempt == preTest.attempt + 1)
        _ = try orchestrator.handle(.result(Fixtures.result(for: again)), at: now + 3, in: store)
        record = try #require(try store.experiment(id: "e1"))
        #expect(record.state == .analysing)
    }
}
