import Foundation
import Testing
import TributaryContentStore
import TributaryTestSupport

@testable import TributaryCore

/// The result cache's keys, and the orchestrator planning around it, without a broker.
@Suite struct ResultCacheKeyTests {
    let document = Document(id: "d1", text: "hope and fear", metadata: ["group": "a"])

    func llmSpec(_ change: (inout AnalyserSettings) -> Void = { _ in }) -> ExperimentSpec {
        var spec = Fixtures.spec(documents: 1, batchSize: 1)
        var analyser = AnalyserSettings(kind: .llm, model: "m", temperature: 0, seed: 7)
        change(&analyser)
        spec.analyser = analyser
        return spec
    }

    func key(_ spec: ExperimentSpec, _ document: Document, replicate: Int = 0, version: String? = nil) throws -> String {
        try AnalysisCacheKeys.make(for: spec, externalVersion: version).key(for: document, replicate: replicate)
    }

    @Test func theSameInputsMakeTheSameKey() throws {
        let spec = llmSpec()
        let first = try key(spec, document)
        #expect(first.utf8.count == 64)
        #expect(try key(spec, document) == first)
        // Decoded from the wire, the spec still makes the same key.
        let decoded = try MessageCoding.decode(ExperimentSpec.self, from: MessageCoding.encode(spec))
        #expect(try key(decoded, document) == first)
    }

    /// Each setting a language model's answer depends on is in its key; instructor#2585 and
    /// litellm#894 shipped keys without temperature or seed.
    @Test func everySamplingSettingAndThePromptChangeALanguageModelsKey() throws {
        let base = try key(llmSpec(), document)
        let changes: [(String, (inout AnalyserSettings) -> Void)] = [
            ("temperature", { $0.temperature = 0.5 }), ("seed", { $0.seed = 8 }), ("no seed", { $0.seed = nil }), ("top_p", { $0.topP = 0.9 }),
            ("model", { $0.model = "other" }), ("max_output_tokens", { $0.maxOutputTokens = 401 }), ("prompt", { $0.prompt = "Score {{document}}" }),
        ]
        var seen: Set<String> = [base]
        for (name, change) in changes {
            let changed = try key(llmSpec(change), document)
            #expect(seen.insert(changed).inserted, "\(name) did not change the key")
        }
        var asked = llmSpec()
        asked.researchQuestion = "Why?"
        #expect(try key(asked, document) != base, "the prompt names the research question")
        var framework = llmSpec()
        framework.framework.dimensions[0].description = "changed"
        #expect(try key(framework, document) != base, "the framework's bytes are in the key")
        #expect(try key(llmSpec(), document, replicate: 1) != base)
        #expect(try key(llmSpec(), Document(id: "d1", text: "hope and fear!", metadata: ["group": "a"])) != base)
        #expect(try key(llmSpec(), Document(id: "d2", text: "hope and fear", metadata: ["group": "a"])) != base, "the prompt names the id")
        #expect(try key(llmSpec(), Document(id: "d1", text: "hope and fear", metadata: ["group": "b"])) == base, "no prompt reads metadata")
    }

    @Test func thePhraseMatcherReadsOnlyTheText() throws {
        let spec = Fixtures.spec(documents: 1, batchSize: 1)
        let base = try key(spec, document)
        #expect(try key(spec, Document(id: "other", text: "hope and fear", metadata: [:])) == base)
        #expect(try key(spec, Document(id: "d1", text: "hope", metadata: ["group": "a"])) != base)
        #expect(try key(llmSpec(), document) != base, "analysers never share entries")
    }

    @Test func aReferencedTextSharesTheKeyOfTheSameTextInline() throws {
        let spec = Fixtures.spec(documents: 1, batchSize: 1)
        let address = "sha256:" + SHA256.hex(of: Array(document.text.utf8))
        let referenced = Document(id: "d1", textRef: address, textBytes: document.text.utf8.count, metadata: document.metadata)
        #expect(try key(spec, referenced) == key(spec, document))
    }

    @Test func anExternalAnalyserIsKeyedByItsDeclaredVersionAndNeverWithoutOne() throws {
        var spec = Fixtures.spec(documents: 1, batchSize: 1)
        spec.analyser = AnalyserSettings(kind: .external)
        #expect(throws: ContractError.self) { try key(spec, document) }
        let first = try key(spec, document, version: "1")
        #expect(try key(spec, document, version: "2") != first)
        #expect(try key(spec, Document(id: "d1", text: "hope and fear", metadata: ["group": "b"]), version: "1") != first, "a program sees metadata")
        #expect(try AnalysisCacheKeys.make(for: spec, externalVersion: "1").label == "external:1")
    }
}

@Suite struct ResultCacheOrchestratorTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    let orchestrator = Orchestrator()

    func spec(texts: [String] = (0..<7).map { "hope and fear \($0)" }, cache: CacheMode? = .on) -> ExperimentSpec {
        var spec = Fixtures.spec(documents: texts.count, batchSize: 3)
        for index in spec.documents.indices { spec.documents[index].text = texts[index] }
        spec.cache = cache
        return spec
    }

    /// What an analyser would answer: a score from the text alone, and evidence on every document.
    func analysed(_ task: TaskMessage) throws -> Orchestrator.Input {
        guard case .analyseBatch(let batch) = task.payload else { throw ContractError(.malformed, "not a batch") }
        let documents = batch.documents.map { document in
            let score = Double(document.text.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 1_000 }) / 1_000
            let evidence = [Evidence(sentence: document.text, start: 0, end: document.text.count, phrase: "hope")]
            return DocumentAnalysis(
                id: document.id, wordCount: document.text.split(separator: " ").count, metadata: document.metadata,
                scores: ["hope": DimensionScore(rawScore: score, salience: 1, confidence: 0.5, raisesHits: 1, lowersHits: 0, evidence: evidence)],
                derived: [:])
        }
        let output = BatchAnalysis(batchIndex: task.batchIndex ?? 0, documents: documents)
        return .result(
            TaskResult(
                task: task.identity, attempt: task.attempt, run: task.run, status: .completed, result: RawJSON(bytes: try MessageCoding.encode(output)),
                workerID: "w", startedAt: now, finishedAt: now))
    }

    /// Runs an experiment to its synthesis task; returns the analyse tasks it sent and the batches the synthesis got.
    func run(_ id: String, _ spec: ExperimentSpec, in store: InMemoryExperimentStore) throws -> (
        sent: [TaskMessage], synthesis: [BatchAnalysis], pilot: [String]?
    ) {
        _ = try orchestrator.handle(.request(Fixtures.request(id, spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        guard case .preTest(let sentSpec) = preTest.payload else { throw ContractError(.malformed, "not a pre-test") }
        _ = try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: now, in: store)
        var sent: [TaskMessage] = []
        var synthesis: [BatchAnalysis]?
        var queue = Fixtures.tasks(in: store.drainOutbox())
        while !queue.isEmpty {
            let task = queue.removeFirst()
            if case .corpusSynthesis(let payload) = task.payload {
                synthesis = payload.batchResults
                continue
            }
            sent.append(task)
            _ = try orchestrator.handle(try analysed(task), at: now, in: store)
            queue += Fixtures.tasks(in: store.drainOutbox())
        }
        return (sent, try #require(synthesis), sentSpec.analyser?.pilotDocumentIDs)
    }

    @Test func anUnchangedCorpusSendsNothingAndTheSynthesisGetsTheSameBatches() throws {
        let store = InMemoryExperimentStore()
        let cold = try run("e1", spec(), in: store)
        #expect(cold.sent.count == 3 && cold.sent.allSatisfy { $0.analyseBatchPayload?.keepEvidence == true })
        #expect(store.cache.count == 7)
        let warm = try run("e2", spec(), in: store)
        #expect(warm.sent.isEmpty)
        #expect(warm.synthesis == cold.synthesis)
        let record = try #require(try store.experiment(id: "e2"))
        #expect(record.analysis?.cache == CacheSummary(mode: .on, analyser: "builtin", documentsFromCache: 7, documentsStored: 0))
        #expect(record.batchesCompleted == 3 && record.state == .synthesising)
        #expect(ExperimentStatus(record: record, at: now).cache?.documentsFromCache == 7)
    }

    /// The changed document goes out alone; the synthesis sees it in its place among the
    /// cached ones, as a run without the cache would.
    @Test func oneEditedDocumentIsTheOnlyOneSent() throws {
        let store = InMemoryExperimentStore()
        _ = try run("e1", spec(), in: store)
        var texts = (0..<7).map { "hope and fear \($0)" }
        texts[4] = "hope alone"
        let edited = try run("e2", spec(texts: texts), in: store)
        #expect(edited.sent.count == 1)
        #expect(edited.sent.first?.analyseBatchPayload?.documents.map(\.id) == ["d4"])
        let uncached = try run("e3", spec(texts: texts, cache: .off), in: InMemoryExperimentStore())
        #expect(edited.synthesis == uncached.synthesis)
        #expect(store.cache.count == 8)
    }

    @Test func offNeitherReadsNorWritesAndRefreshRewrites() throws {
        let store = InMemoryExperimentStore()
        let off = try run("e1", spec(cache: .off), in: store)
        #expect(off.sent.count == 3 && store.cache.isEmpty)
        #expect(off.sent.allSatisfy { $0.analyseBatchPayload?.keepEvidence == nil }, "no cache, no evidence beyond the batch's top")
        #expect(try store.experiment(id: "e1")?.analysis == nil)
        _ = try run("e2", spec(), in: store)
        let written = try #require(store.cache.values.first { $0.documentID == "d0" })
        #expect(written.experimentID == "e2")
        let refreshed = try run("e3", spec(cache: .refresh), in: store)
        #expect(refreshed.sent.count == 3)
        #expect(store.cache.values.first { $0.documentID == "d0" }?.experimentID == "e3")
        #expect(store.cache.count == 7)
    }

    /// A redelivered result is a duplicate before it reaches the cache: nothing counts twice.
    @Test func aDuplicateResultWritesNothing() throws {
        let store = InMemoryExperimentStore()
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec())), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        _ = try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: now, in: store)
        let first = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        #expect(try orchestrator.handle(try analysed(first), at: now, in: store).event == .batchCounted)
        #expect(try orchestrator.handle(try analysed(first), at: now, in: store).event == .duplicateResult)
        #expect(try store.experiment(id: "e1")?.analysis?.cache?.documentsStored == 3)
    }

    /// The pilot spends calls only on documents the cache can't answer: none for an
    /// unchanged corpus.
    @Test func thePilotTakesTheFirstUncachedDocuments() throws {
        func llm(_ texts: [String]) -> ExperimentSpec {
            var llm = spec(texts: texts, cache: nil)
            llm.analyser = AnalyserSettings(kind: .llm, model: "m")
            return llm
        }
        var texts = (0..<7).map { "hope and fear \($0)" }
        let store = InMemoryExperimentStore()
        #expect(try run("e1", llm(texts), in: store).pilot == ["d0", "d1"], "llm caches by default, and nothing is cached yet")
        texts[5] = "fear alone"
        #expect(try run("e2", llm(texts), in: store).pilot == ["d5"])
        let warm = try run("e3", llm(texts), in: store)
        #expect(warm.pilot == [] && warm.sent.isEmpty)
        var uncached = llm(texts)
        uncached.cache = .off
        #expect(try run("e4", uncached, in: store).pilot == nil, "without the cache the pilot is the agent's choice")
    }

    /// The pilot's analyses are cached with its spending: its documents are not sent again,
    /// and they are no saving of this run.
    @Test func thePilotsAnalysesAreNotSentAgain() throws {
        var llm = spec(cache: nil)
        llm.analyser = AnalyserSettings(kind: .llm, model: "m")
        let store = InMemoryExperimentStore()
        _ = try orchestrator.handle(.request(Fixtures.request("e1", llm)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        var planned = Fixtures.result(for: preTest)
        var plan = try MessageCoding.decode(PreTestResult.self, from: try #require(planned.result).bytes)
        let pilotTask = TaskMessage(
            experimentID: "e1", batchIndex: 0, batchCount: 1, attempt: 1,
            payload: .analyseBatch(BatchPayload(framework: llm.framework, documents: Array(llm.documents.prefix(2)))))
        guard case .result(let pilot) = try analysed(pilotTask) else { throw ContractError(.malformed, "no result") }
        plan.pilotAnalyses = try MessageCoding.decode(BatchAnalysis.self, from: try #require(pilot.result).bytes).documents
        planned.result = RawJSON(bytes: try MessageCoding.encode(plan))
        _ = try orchestrator.handle(.result(planned), at: now, in: store)
        let sent = Fixtures.tasks(in: store.drainOutbox())
        #expect(sent.compactMap { $0.analyseBatchPayload?.documents.map(\.id) } == [["d2"], ["d3", "d4", "d5"], ["d6"]])
        let summary = try #require(try store.experiment(id: "e1")?.analysis?.cache)
        #expect(summary.documentsFromCache == 0 && summary.documentsStored == 2 && summary.costSaved == 0)
    }

    @Test func anExternalAnalyserWithoutAVersionIsNotCachedAndTheExperimentIsTold() throws {
        var external = spec()
        external.analyser = AnalyserSettings(kind: .external)
        let store = InMemoryExperimentStore()
        let result = try run("e1", external, in: store)
        #expect(result.sent.count == 3 && store.cache.isEmpty)
        let warnings = try #require(try store.experiment(id: "e1")).warnings
        #expect(warnings.contains { $0.contains("--analyser-version") })
    }
}

extension TaskMessage {
    var analyseBatchPayload: BatchPayload? {
        if case .analyseBatch(let payload) = payload { return payload }
        return nil
    }
}
