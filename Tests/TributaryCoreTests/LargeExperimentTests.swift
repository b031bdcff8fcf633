import Foundation
import Synchronization
import Testing
import TributaryTestSupport

@testable import TributaryCore

/// A content store in memory: what the orchestrator reads and writes by address.
final class MemoryContent: ContentAccess {
    let blobs = Mutex<[String: [UInt8]]>([:])

    func read(_ address: String) throws -> [UInt8] {
        guard let bytes = blobs.withLock({ $0[address] }) else { throw ContractError(.invalidExperiment, "no blob \(address)") }
        return bytes
    }

    func write(_ produce: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws -> String {
        var bytes: [UInt8] = []
        try produce { bytes += $0 }
        return put(bytes)
    }

    @discardableResult
    func put(_ bytes: [UInt8]) -> String {
        // Any stable name will do here; the real store names blobs by their SHA-256.
        let address = "blob-\(bytes.count)-\(bytes.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })"
        blobs.withLock { $0[address] = bytes }
        return address
    }
}

@Suite struct LargeExperimentTests {
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// The template's bytes are the encoder's, for any experiment id, batch and documents.
    @Test(arguments: ["e1", "exp_with-long-id-0123456789", "x"])
    func batchTaskTemplateEqualsTheEncoder(experimentID: String) throws {
        let documents =
            Fixtures.spec(documents: 5, batchSize: 1).documents + [
                Document(id: "quoted \"id\" / ✓", text: "line\nbreak \u{1}", metadata: ["documents": "[]", "batch_index": "0"])
            ]
        // With an analyser the payload's sorted keys put `analyser` before `documents`, and its
        // prompt may quote JSON: the template must still cut, and still equal the encoder.
        let analyser = AnalyserSettings(kind: .llm, model: "m", seed: 7, prompt: #"Answer {"documents":[]} for {{document}}"#)
        for (settings, question) in [(nil, nil), (analyser, "Is it \"hopeful\"?")] as [(AnalyserSettings?, String?)] {
            let template = try BatchTaskTemplate(
                experimentID: experimentID, batchCount: 1_234, framework: Fixtures.framework, analyser: settings, researchQuestion: question)
            #expect(template.isCut)
            for (index, slice) in [(0, [documents[0]]), (7, Array(documents[1...3])), (1_233, Array(documents[4...]))] {
                let expected = try MessageCoding.encode(
                    TaskMessage(
                        experimentID: experimentID, batchIndex: index, batchCount: 1_234, attempt: 1,
                        payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: slice, analyser: settings, researchQuestion: question))))
                #expect(try template.task(batchIndex: index, documents: slice) == expected)
            }
        }
    }

    /// Batch results over the inline limit go to the content store; the task carries their
    /// address, and the blob is the same JSON array the task would have carried.
    @Test func largeSynthesisInputIsStoredNotCarried() throws {
        let content = MemoryContent()
        let small = Orchestrator(content: content, inlineSynthesisLimit: 1 << 20)
        let large = Orchestrator(content: content, inlineSynthesisLimit: 64)
        var payloads: [SynthesisPayload] = []
        for orchestrator in [small, large] {
            let store = InMemoryExperimentStore()
            try orchestrator.handle(.request(Fixtures.request("e1", documents: 10, batchSize: 3)), at: now, in: store)
            let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
            try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: now, in: store)
            for task in Fixtures.tasks(in: store.drainOutbox()) { try orchestrator.handle(.result(Fixtures.result(for: task)), at: now, in: store) }
            let synthesis = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
            guard case .corpusSynthesis(let payload) = synthesis.payload else { throw ContractError(.malformed, "not a synthesis") }
            payloads.append(payload)
        }
        #expect(payloads[0].batchResultsRef == nil && payloads[0].batchResults.count == 4)
        let reference = try #require(payloads[1].batchResultsRef)
        #expect(payloads[1].batchResults.isEmpty)
        #expect(try MessageCoding.decode([BatchAnalysis].self, from: content.read(reference)) == payloads[0].batchResults)
    }

    /// A corpus given as a manifest in the content store is planned like one carried inline.
    @Test func corpusManifestIsReadFromTheContentStore() throws {
        let content = MemoryContent()
        let orchestrator = Orchestrator(content: content)
        var spec = Fixtures.spec(documents: 7, batchSize: 2)
        let inline = spec.documents
        spec.corpusRef = content.put(try MessageCoding.encode(inline.map { Document(id: $0.id, textRef: "t-\($0.id)", textBytes: 10, metadata: $0.metadata) }))
        spec.documents = []
        let store = InMemoryExperimentStore()
        try orchestrator.handle(.request(Fixtures.request("e1", spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        // The agent plans from the manifest; the same plan as for the inline corpus.
        let plan = PreTestResult(batches: BatchPlanner.plan(inline, batchSize: 2, maxBatchBytes: spec.maxBatchBytes))
        let result = TaskResult(
            task: preTest.identity, attempt: 1, status: .completed, result: RawJSON(bytes: try MessageCoding.encode(plan)), workerID: "w",
            startedAt: now, finishedAt: now)
        try orchestrator.handle(.result(result), at: now, in: store)
        let batches = Fixtures.tasks(in: store.drainOutbox())
        #expect(batches.count == 4)
        guard case .analyseBatch(let first) = batches[0].payload else { throw ContractError(.malformed, "not a batch") }
        #expect(first.documents.map(\.textRef) == ["t-d0", "t-d1"])
        #expect(first.documents.allSatisfy { $0.text.isEmpty && $0.textBytes == 10 })

        // Without a content store the experiment fails with the reason, not a crash or a hang.
        let without = InMemoryExperimentStore()
        try Orchestrator().handle(.request(Fixtures.request("e2", spec)), at: now, in: without)
        let preTest2 = try #require(Fixtures.tasks(in: without.drainOutbox()).first)
        var result2 = result
        result2.taskID = preTest2.taskID
        result2.experimentID = "e2"
        try Orchestrator().handle(.result(result2), at: now, in: without)
        let record = try #require(try without.experiment(id: "e2"))
        #expect(record.state == .failed)
        #expect(record.failure?.contains("--document-store") == true, "\(record.failure ?? "")")
    }

    /// A manifest is checked before it is used: broken JSON or an entry without an id is a
    /// clear error (the experiment fails with it), not a crash.
    @Test func manifestIsIndexedByIdAndRefusedWhenBroken() throws {
        let manifest = try CorpusManifest(Array(#"[{"id":"a","text_ref":"x"}, {"id":"b\u0021","text":"t"},{"id":"a","text":"later"}]"#.utf8))
        #expect(manifest.contains("a") && manifest.contains("b!") && !manifest.contains("c"))
        #expect(String(decoding: manifest.encodedArray(of: ["b!", "a", "c"]), as: UTF8.self) == #"[{"id":"b\u0021","text":"t"},{"id":"a","text_ref":"x"}]"#)
        for broken in [#"[{"id":1}]"#, #"[{"id":"a"}"#, #"{"id":"a"}"#, #"[{"id":"a"},]"#, "[\u{FF}]"] {
            #expect(throws: ContractError.self, "\(broken)") { try CorpusManifest(Array(broken.utf8)) }
        }
    }
}
