import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

/// Replicates as the orchestrator plans them: each (document, replicate) its own task, seed
/// and cache entry, so adding replicates pays only for the new ones.
extension ResultCacheOrchestratorTests {
    func replicated(_ count: Int, seed: Int? = 7) -> ExperimentSpec {
        var spec = spec()
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", temperature: 0.7, seed: seed, pilotDocuments: 0)
        spec.analyser?.replicates = count
        return spec
    }

    /// Runs `spec` to its synthesis task and returns what it sent and the synthesis payload.
    func synthesised(_ id: String, _ spec: ExperimentSpec, in store: InMemoryExperimentStore) throws -> (sent: [TaskMessage], synthesis: SynthesisPayload) {
        _ = try orchestrator.handle(.request(Fixtures.request(id, spec)), at: now, in: store)
        var queue = Fixtures.tasks(in: store.drainOutbox())
        var sent: [TaskMessage] = []
        while !queue.isEmpty {
            let task = queue.removeFirst()
            switch task.payload {
            case .preTest: _ = try orchestrator.handle(.result(Fixtures.result(for: task)), at: now, in: store)
            case .analyseBatch:
                sent.append(task)
                _ = try orchestrator.handle(try analysed(task), at: now, in: store)
            case .corpusSynthesis(let payload): return (sent, payload)
            }
            queue += Fixtures.tasks(in: store.drainOutbox())
        }
        throw ContractError(.malformed, "no synthesis task for \(id)")
    }

    @Test func eachReplicateIsItsOwnTaskWithItsOwnSeed() throws {
        let store = InMemoryExperimentStore()
        let run = try synthesised("e1", replicated(3), in: store)
        #expect(run.sent.map { $0.batchIndex ?? -1 } == Array(0..<9))
        #expect(run.sent.map { $0.analyseBatchPayload?.analyser?.seed ?? -1 } == [7, 7, 7, 8, 8, 8, 9, 9, 9])
        #expect(run.sent.allSatisfy { $0.batchCount == 9 })
        #expect(run.sent[4].analyseBatchPayload?.documents.map(\.id) == run.sent[1].analyseBatchPayload?.documents.map(\.id))
        #expect(run.synthesis.replicates == SynthesisPayload.Replicates(count: 3, batchesPerReplicate: 3))
        #expect(run.synthesis.batchResults.count == 9 && run.synthesis.coverage.documentsPlanned == 7)
        #expect(store.cache.count == 21, "one entry per (document, replicate)")
    }

    @Test func moreReplicatesLaterPayOnlyForTheNewOnes() throws {
        let store = InMemoryExperimentStore()
        _ = try synthesised("e1", replicated(3), in: store)
        let more = try synthesised("e2", replicated(5), in: store)
        #expect(more.sent.map { $0.batchIndex ?? -1 } == Array(9..<15))
        #expect(Set(more.sent.compactMap { $0.analyseBatchPayload?.analyser?.seed }) == [10, 11])
        #expect(more.synthesis.batchResults.count == 15)
        let again = try synthesised("e3", replicated(5), in: store)
        #expect(again.sent.isEmpty)
    }

    @Test func oneReplicateSendsWhatItAlwaysSent() throws {
        var single = replicated(1)
        let withField = try synthesised("e1", single, in: InMemoryExperimentStore())
        single.analyser?.replicates = nil
        let without = try synthesised("e1", single, in: InMemoryExperimentStore())
        #expect(withField.synthesis.replicates == nil && without.synthesis.replicates == nil)
        #expect(withField.sent.map { $0.analyseBatchPayload?.documents } == without.sent.map { $0.analyseBatchPayload?.documents })
    }

    @Test func replicatesOfADeterministicAnalyserOrWithoutASeedAreRefused() throws {
        var builtin = spec()
        builtin.analyser = AnalyserSettings(kind: .builtin)
        builtin.analyser?.replicates = 3
        #expect(builtin.analyser?.problems.map(\.field) == ["analyser.replicates"])
        #expect(builtin.analyser?.problems.first?.message.contains("deterministic") == true)
        #expect(replicated(3, seed: nil).analyser?.problems.first?.message.contains("seed") == true)
        #expect(replicated(0).analyser?.problems.first?.field == "analyser.replicates")
        #expect(replicated(101).analyser?.problems.first?.field == "analyser.replicates")
        let store = InMemoryExperimentStore()
        _ = try orchestrator.handle(.request(Fixtures.request("refused", builtin)), at: now, in: store)
        let record = try #require(try store.experiment(id: "refused"))
        let status = ExperimentStatus(record: record, at: now)
        #expect(status.state == .failed && (status.error ?? "").contains("analyser.replicates"), "\(status.error ?? "")")
    }
}

extension ResultCacheOrchestratorTests {
    func modelled(_ models: [String], replicates: Int = 2) -> ExperimentSpec {
        var spec = replicated(replicates)
        spec.analyser?.model = nil
        spec.analyser?.models = models
        return spec
    }

    /// Each model's replicates follow the previous model's; each task names one model, and
    /// each model's analyses are cached as that model's, so a later single-model run reuses them.
    @Test func eachModelIsItsOwnSetOfTasksAndCacheEntries() throws {
        let store = InMemoryExperimentStore()
        let run = try synthesised("e1", modelled(["a", "b"]), in: store)
        #expect(run.sent.count == 12)
        #expect(run.sent.map { $0.analyseBatchPayload?.analyser?.model ?? "" } == Array(repeating: "a", count: 6) + Array(repeating: "b", count: 6))
        #expect(run.sent.allSatisfy { $0.analyseBatchPayload?.analyser?.models == nil })
        #expect(run.sent.map { $0.analyseBatchPayload?.analyser?.seed ?? -1 } == [7, 7, 7, 8, 8, 8, 7, 7, 7, 8, 8, 8])
        #expect(run.synthesis.replicates == SynthesisPayload.Replicates(count: 2, batchesPerReplicate: 3, models: ["a", "b"]))
        #expect(store.cache.count == 28)
        #expect(Set(store.cache.values.map(\.analyser)) == ["llm:a", "llm:b"])

        var onlyB = replicated(2)
        onlyB.analyser?.model = "b"
        #expect(try synthesised("e2", onlyB, in: store).sent.isEmpty, "model b's analyses are reused by an experiment of b alone")
        let record = try #require(try store.experiment(id: "e1"))
        #expect(ExperimentStatus(record: record, at: now).model == "a, b")
    }

    @Test func aBadListOfModelsIsRefusedNamingTheField() {
        #expect(modelled(["a"]).analyser?.problems.first?.message.contains("2 to 8") == true)
        #expect(modelled(["a", "a"]).analyser?.problems.first?.message.contains("twice") == true)
        var both = modelled(["a", "b"])
        both.analyser?.model = "c"
        #expect(both.analyser?.problems.first?.field == "analyser.models")
        var builtin = AnalyserSettings(kind: .builtin)
        builtin.models = ["a", "b"]
        #expect(builtin.problems.first?.message == "applies only to kind llm")
        #expect(modelled(["a", "b"]).analyser?.problems.isEmpty == true)
    }
}
