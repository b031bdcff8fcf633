import Foundation
import Logging
import Testing
import TributaryTestSupport

@testable import TributaryCore

@Suite struct OrchestratorTests {
    let orchestrator = Orchestrator()
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    @discardableResult
    func handle(_ input: Orchestrator.Input, _ store: InMemoryExperimentStore) throws -> Orchestrator.Disposition {
        try orchestrator.handle(input, at: now, in: store)
    }

    @Test func happyPathWalksEveryStateAndSynthesisesOnce() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", documents: 10, batchSize: 3)), store)
        var out = store.drainOutbox()
        #expect(Fixtures.events(in: out).map(\.state) == [.received, .preTesting])
        let preTest = try #require(Fixtures.tasks(in: out).first)
        #expect(preTest.taskType == .preTest)
        #expect(preTest.taskID == "e1.pre_test")

        try handle(.result(Fixtures.result(for: preTest)), store)
        out = store.drainOutbox()
        let batches = Fixtures.tasks(in: out)
        #expect(batches.count == 4)
        #expect(batches.map(\.batchIndex) == [0, 1, 2, 3])
        #expect(batches.allSatisfy { $0.batchCount == 4 && $0.taskType == .analyseBatch })
        #expect(out.first { $0.destination == .tasks }?.headers == ["attempt": 1, "batch_index": 0, "batch_count": 4])
        guard case .analyseBatch(let first) = batches[0].payload else {
            Issue.record("wrong payload")
            return
        }
        #expect(first.documents.map(\.id) == ["d0", "d1", "d2"])

        for task in batches { try handle(.result(Fixtures.result(for: task)), store) }
        out = store.drainOutbox()
        let synthesis = Fixtures.tasks(in: out)
        #expect(synthesis.count == 1)
        #expect(synthesis.first?.taskType == .corpusSynthesis)
        #expect(Fixtures.events(in: out).map(\.state) == [.analysing, .analysing, .analysing, .synthesising])

        try handle(.result(Fixtures.result(for: synthesis[0])), store)
        let final = Fixtures.events(in: store.drainOutbox())
        #expect(final.map(\.state) == [.completed])
        #expect(final.first?.report == .object(["batches": .number(4)]))
        // The synthesis task carries every batch's stored result, in batch order.
        guard case .corpusSynthesis(let payload) = synthesis[0].payload else {
            Issue.record("wrong payload")
            return
        }
        #expect(payload.batchResults.map(\.batchIndex) == [0, 1, 2, 3])
        #expect(payload.batchResults.flatMap(\.documents).map(\.id) == (0..<10).map { "d\($0)" })
        #expect(try store.experiment(id: "e1")?.synthesisRequests == 1)
    }

    @Test func duplicateRequestIsIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1")), store)
        _ = store.drainOutbox()
        let second = try handle(.request(Fixtures.request("e1")), store)
        #expect(second == Orchestrator.Disposition(.duplicateRequest, experimentID: "e1"))
        #expect(!second.applied)
        #expect(store.drainOutbox().isEmpty)
        // The contract counts a repeated request as an ignored duplicate.
        #expect(try store.experiment(id: "e1")?.duplicatesIgnored == 1)
    }

    @Test func resultsForUnknownExperimentsAreIgnored() throws {
        let store = InMemoryExperimentStore()
        let task = TaskMessage(
            experimentID: "ghost", batchIndex: 0, batchCount: 1,
            payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [])))
        let disposition = try handle(.result(Fixtures.result(for: task)), store)
        #expect(disposition.event == .unknownExperiment)
        #expect(disposition.taskID == "ghost.analyse_batch.0")
        #expect(store.outbox.isEmpty)
    }

    @Test func failedBatchFailsTheExperimentAndLaterResultsAreIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", Fixtures.spec(documents: 6, batchSize: 2, retry: RetryPolicy(maxAttempts: 1)))), store)
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), store)
        let batches = Fixtures.tasks(in: store.drainOutbox())
        try handle(.result(Fixtures.result(for: batches[1], status: .failed, worker: "w9")), store)
        let events = Fixtures.events(in: store.drainOutbox())
        #expect(events.map(\.state) == [.failed])
        #expect(events.first?.error?.contains("batch 1 failed after 1 attempt(s) on worker w9: boom: handler failed") == true, "\(events)")
        for task in batches { try handle(.result(Fixtures.result(for: task)), store) }
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty)
        #expect(try store.experiment(id: "e1")?.state == .failed)
    }

    @Test func invalidPlanFailsWithoutEnqueueingBatches() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", documents: 3, batchSize: 2)), store)
        let preTest = Fixtures.tasks(in: store.drainOutbox())[0]
        var result = Fixtures.result(for: preTest)
        result.result = RawJSON(bytes: try MessageCoding.encode(PreTestResult(batches: [["d0", "nope"]])))
        try handle(.result(result), store)
        let out = store.drainOutbox()
        #expect(Fixtures.tasks(in: out).isEmpty)
        #expect(Fixtures.events(in: out).first?.error?.contains("unknown document 'nope'") == true)
    }

    @Test func lateResultsCountAsDuplicatesButEarlyOnesDoNot() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", documents: 2, batchSize: 1)), store)
        let preTest = Fixtures.tasks(in: store.drainOutbox())[0]
        // An analyse_batch result while the experiment is still pre-testing can't be a repeat of anything.
        let early = TaskMessage(
            experimentID: "e1", batchIndex: 0, batchCount: 2,
            payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [])))
        #expect(try handle(.result(Fixtures.result(for: early)), store).event == .unexpectedResult)
        #expect(try handle(.result(Fixtures.result(for: preTest)), store).event == .batchesPlanned)
        // The pre-test result again, now that the experiment has moved on: a duplicate.
        let late = try handle(.result(Fixtures.result(for: preTest)), store)
        #expect(late.event == .duplicateResult)
        #expect(try store.experiment(id: "e1")?.duplicatesIgnored == 1)
    }

    @Test func dispositionsNameTheirEventAndIDsForLogs() throws {
        let store = InMemoryExperimentStore()
        let received = try handle(.request(Fixtures.request("e1", documents: 2, batchSize: 1)), store)
        #expect(received.logMetadata["tributary.event"] == "experiment_received")
        #expect(received.logMetadata["tributary.experiment_id"] == "e1")
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), store)
        let counted = try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[1])), store)
        #expect(counted.event == .batchCounted)
        #expect(counted.logMetadata["tributary.task_id"] == "e1.analyse_batch.1")
        #expect(counted.logMetadata["tributary.batch_index"] == "1")
    }

    /// At most max_in_flight batches are out at once; each outcome sends the next.
    @Test func maxInFlightBoundsOutstandingBatchesAndTopsThemUp() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", Fixtures.spec(documents: 10, batchSize: 1, maxInFlight: 3))), store)
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), store)
        var sent = Fixtures.tasks(in: store.drainOutbox())
        #expect(sent.map(\.batchIndex) == [0, 1, 2])
        var done = 0
        while let task = sent.first {
            sent.removeFirst()
            try handle(.result(Fixtures.result(for: task)), store)
            done += 1
            let next = Fixtures.tasks(in: store.drainOutbox())
            sent += next.filter { $0.taskType == .analyseBatch }
            #expect(try store.experiment(id: "e1")!.inFlight <= 3)
            if done < 8 { #expect(next.map(\.batchIndex) == [done + 2], "after \(done) results") }
        }
        #expect(done == 10)
        #expect(try store.experiment(id: "e1")?.state == .synthesising)
    }

    /// Attempts have their own message ids and numbers; a failure of a superseded attempt is a
    /// duplicate, and the first success of any attempt is the one counted.
    @Test func retriesAreNewAttemptsAndTheFirstSuccessWins() throws {
        let store = InMemoryExperimentStore()
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        _ = try orchestrator.handle(.request(Fixtures.request("e1", Fixtures.spec(documents: 1, batchSize: 1))), at: now, in: store)
        _ = try orchestrator.handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), at: now, in: store)
        let out = store.drainOutbox()
        let first = Fixtures.tasks(in: out)[0]
        #expect(out.first { $0.destination == .tasks }?.messageID == "e1.analyse_batch.0.attempt-1")
        // Attempt 1 is lost; its deadline (15 minutes) passes and attempt 2 goes out at once.
        let timers = try orchestrator.fireTimers(at: now + 901, in: store)
        #expect(timers.map(\.event) == [.attemptTimedOut])
        let second = Fixtures.tasks(in: store.drainOutbox())[0]
        #expect(second.attempt == 2 && second.taskID == first.taskID)
        // The straggler's failure is stale; its success, arriving first, is counted.
        #expect(try orchestrator.handle(.result(Fixtures.result(for: first, status: .failed)), at: now + 902, in: store).event == .duplicateResult)
        #expect(try orchestrator.handle(.result(Fixtures.result(for: first)), at: now + 903, in: store).event == .synthesisRequested)
        #expect(try orchestrator.handle(.result(Fixtures.result(for: second)), at: now + 904, in: store).event == .duplicateResult)
        #expect(try store.experiment(id: "e1")?.retries == 1)
    }

    @Test func backoffDoublesUpToTheCapWithJitter() {
        let policy = RetryPolicy(maxAttempts: 9, initialBackoff: .seconds(2), maxBackoff: .seconds(60))
        #expect(policy.backoff(after: 1, jitter: 0).milliseconds == 1_000)
        #expect(policy.backoff(after: 1, jitter: 0.999).milliseconds < 2_000)
        #expect(policy.backoff(after: 3, jitter: 0).milliseconds == 4_000)
        #expect(policy.backoff(after: 8, jitter: 0).milliseconds == 30_000)
        let spread = Set((0..<50).map { Orchestrator.jitter("e", $0, 1) })
        #expect(spread.count == 50 && spread.allSatisfy { (0..<1).contains($0) })
    }

    /// The pre-test's attempt is not the synthesis's: in a run without failures each step's
    /// task is its first attempt, by number and by message id.
    @Test func firstSynthesisOfARunIsAttemptOne() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", Fixtures.spec(documents: 2, batchSize: 1))), store)
        let preTest = store.drainOutbox().filter { $0.destination == .tasks }
        #expect(preTest.map(\.messageID) == ["e1.pre_test.attempt-1"])
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: preTest)[0])), store)
        for task in Fixtures.tasks(in: store.drainOutbox()) { try handle(.result(Fixtures.result(for: task)), store) }
        let outbox = store.drainOutbox().filter { $0.destination == .tasks }
        #expect(outbox.map(\.messageID) == ["e1.corpus_synthesis.attempt-1"])
        let synthesis = Fixtures.tasks(in: outbox)[0]
        #expect(synthesis.attempt == 1 && synthesis.run == 1)
        #expect(outbox[0].headers == ["attempt": 1])
        #expect(try handle(.result(Fixtures.result(for: synthesis)), store).event == .experimentCompleted)
    }

    /// A failed synthesis with every batch in: `retry` runs the synthesis again, as run 2.
    @Test func retryAfterAFailedSynthesisSynthesisesAgain() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", Fixtures.spec(documents: 2, batchSize: 1, retry: RetryPolicy(maxAttempts: 1)))), store)
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), store)
        for task in Fixtures.tasks(in: store.drainOutbox()) { try handle(.result(Fixtures.result(for: task)), store) }
        let synthesis = Fixtures.tasks(in: store.drainOutbox())[0]
        try handle(.result(Fixtures.result(for: synthesis, status: .failed)), store)
        #expect(try store.experiment(id: "e1")?.state == .failed)
        _ = store.drainOutbox()
        #expect(try handle(.retry(ExperimentControlRequest(experimentID: "e1")), store).event == .experimentRerun)
        let outbox = store.drainOutbox()
        let again = Fixtures.tasks(in: outbox)
        #expect(again.map(\.taskType) == [.corpusSynthesis])
        guard case .corpusSynthesis(let payload) = again[0].payload else { return }
        // Attempts count within the run; the run keeps the message ids apart.
        #expect(payload.run == 2 && again[0].run == 2 && again[0].attempt == 1)
        #expect(outbox.first { $0.destination == .tasks }?.messageID == "e1.corpus_synthesis.run-2.attempt-1")
        #expect(outbox.first { $0.destination == .tasks }?.headers == ["attempt": 1, "run": 2])
        // The old attempt's late result is not taken for the new run's.
        #expect(try handle(.result(Fixtures.result(for: synthesis)), store).event == .duplicateResult)
        #expect(try handle(.result(Fixtures.result(for: again[0])), store).event == .experimentCompleted)
        #expect(try store.experiment(id: "e1")?.synthesisRequests == 2)
    }

    @Test func forgedTaskIDIsIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1")), store)
        var result = Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])
        result.taskID = "e1.pre_test.7"
        #expect(try handle(.result(result), store).event == .mismatchedTaskID)
    }
}

@Suite struct SynthesisSpliceTests {
    /// The spliced task decodes to exactly what encoding the full payload would have given.
    @Test func splicedTaskEqualsTheEncodedOne() throws {
        let results = [
            BatchAnalysis(
                batchIndex: 0,
                documents: [DocumentAnalysis(id: #"has "batch_results":[] inside"#, wordCount: 1, metadata: [:], scores: [:], derived: ["x": nil])]),
            BatchAnalysis(batchIndex: 1, documents: []),
        ]
        let payload = SynthesisPayload(
            experimentName: #"x "batch_results":[] y"#, researchQuestion: "q", groupBy: nil, framework: Fixtures.framework, batchResults: [],
            coverage: Coverage(documentsPlanned: 1))
        let empty = TaskMessage(experimentID: "e", payload: .corpusSynthesis(payload))
        let spliced = try TaskBodyEdit.splicing(results.map { try MessageCoding.encode($0) }, into: MessageCoding.encode(empty))
        var full = payload
        full.batchResults = results
        let expected = TaskMessage(experimentID: "e", payload: .corpusSynthesis(full))
        #expect(try MessageCoding.decode(TaskMessage.self, from: spliced) == expected)
        #expect(spliced == (try MessageCoding.encode(expected)))
    }
}
