import Foundation
import Testing
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
        guard case .analyseBatch(let first) = batches[0].payload else { Issue.record("wrong payload"); return }
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
        #expect(try store.experiment(id: "e1")?.synthesisRequests == 1)
    }

    @Test func duplicateRequestIsIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1")), store)
        _ = store.drainOutbox()
        let second = try handle(.request(Fixtures.request("e1")), store)
        guard case .ignored = second else { Issue.record("duplicate request applied"); return }
        #expect(store.drainOutbox().isEmpty)
    }

    @Test func resultsForUnknownExperimentsAreIgnored() throws {
        let store = InMemoryExperimentStore()
        let task = TaskMessage(experimentID: "ghost", batchIndex: 0, batchCount: 1,
                               payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [])))
        let disposition = try handle(.result(Fixtures.result(for: task)), store)
        guard case .ignored = disposition else { Issue.record("unknown result applied"); return }
        #expect(store.outbox.isEmpty)
    }

    @Test func failedBatchFailsTheExperimentAndLaterResultsAreIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", documents: 6, batchSize: 2)), store)
        try handle(.result(Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])), store)
        let batches = Fixtures.tasks(in: store.drainOutbox())
        try handle(.result(Fixtures.result(for: batches[1], status: .failed, worker: "w9")), store)
        let events = Fixtures.events(in: store.drainOutbox())
        #expect(events.map(\.state) == [.failed])
        #expect(events.first?.error?.contains("batch 1 failed on worker w9") == true)
        for task in batches { try handle(.result(Fixtures.result(for: task)), store) }
        #expect(Fixtures.tasks(in: store.drainOutbox()).isEmpty)
        #expect(try store.experiment(id: "e1")?.state == .failed)
    }

    @Test func invalidPlanFailsWithoutEnqueueingBatches() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1", documents: 3, batchSize: 2)), store)
        let preTest = Fixtures.tasks(in: store.drainOutbox())[0]
        var result = Fixtures.result(for: preTest)
        result.result = try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(PreTestResult(batches: [["d0", "nope"]])))
        try handle(.result(result), store)
        let out = store.drainOutbox()
        #expect(Fixtures.tasks(in: out).isEmpty)
        #expect(Fixtures.events(in: out).first?.error?.contains("unknown document 'nope'") == true)
    }

    @Test func forgedTaskIDIsIgnored() throws {
        let store = InMemoryExperimentStore()
        try handle(.request(Fixtures.request("e1")), store)
        var result = Fixtures.result(for: Fixtures.tasks(in: store.drainOutbox())[0])
        result.taskID = "e1.pre_test.7"
        guard case .ignored = try handle(.result(result), store) else { Issue.record("forged id applied"); return }
    }
}

@Suite struct SynthesisSpliceTests {
    /// The spliced task decodes to exactly what encoding the full payload would have given.
    @Test func splicedTaskEqualsTheEncodedOne() throws {
        let results: [JSONValue] = [.object(["a": .number(1), "s": .string(#"has "batch_results":[] inside"#)]), .array([.null, .bool(true)])]
        let payload = SynthesisPayload(experimentName: #"x "batch_results":[] y"#, researchQuestion: "q", groupBy: nil, framework: Fixtures.framework, batchResults: [])
        let empty = TaskMessage(experimentID: "e", payload: .corpusSynthesis(payload))
        let spliced = try Orchestrator.splice(results.map { try MessageCoding.encode($0) }, into: MessageCoding.encode(empty))
        var full = payload
        full.batchResults = results
        let expected = TaskMessage(experimentID: "e", payload: .corpusSynthesis(full))
        #expect(try MessageCoding.decode(TaskMessage.self, from: spliced) == expected)
        #expect(spliced == (try MessageCoding.encode(expected)))
    }
}
