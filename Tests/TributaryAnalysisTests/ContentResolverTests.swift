import Foundation
import Testing
import TributaryContentStore
import TributaryCore

@testable import TributaryAnalysis

/// Agents read what tasks reference in the content store, and store what is too large to return.
@Suite struct ContentResolverTests {
    let framework = Framework(name: "affect", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])])

    func temporaryStore() throws -> ContentStore {
        let store = ContentStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("resolver-\(UUID().uuidString)").path)
        try store.prepare()
        return store
    }

    @Test func referencedTextsAreAnalysedLikeInlineOnes() async throws {
        let store = try temporaryStore()
        let texts = ["We hope. Hope again.", "Nothing here."]
        let inline = texts.enumerated().map { Document(id: "d\($0.offset)", text: $0.element) }
        let referenced = try texts.enumerated().map { index, text in
            Document(id: "d\(index)", textRef: try store.put(Array(text.utf8)).description, textBytes: text.utf8.count)
        }
        func task(_ documents: [Document]) -> TaskMessage {
            TaskMessage(experimentID: "e", batchIndex: 0, batchCount: 1, payload: .analyseBatch(BatchPayload(framework: framework, documents: documents)))
        }
        let handler = AnalyseBatchHandler(content: ContentResolver(store: store))
        #expect(try await handler.handle(task(referenced)) == (try await handler.handle(task(inline))))
        // Without a store the task fails for good, saying what to configure.
        let failure = await #expect(throws: TaskFailure.self) { try await AnalyseBatchHandler().handle(task(referenced)) }
        #expect(failure?.permanent == true && failure?.message.contains("--document-store") == true)
    }

    @Test func largeScoresTableIsStoredAndReferenced() async throws {
        let store = try temporaryStore()
        let analyser = try DocumentAnalyser(framework: framework)
        let batch = BatchAnalysis(batchIndex: 0, documents: (0..<50).map { analyser.analyse(Document(id: "d\($0)", text: "hope \($0)")) })
        let resultsRef = try store.put(MessageCoding.encode([batch])).description
        var payload = SynthesisPayload(
            experimentName: "e", researchQuestion: "q", groupBy: nil, framework: framework, batchResults: [], coverage: Coverage(documentsPlanned: 50))
        payload.batchResultsRef = resultsRef
        let task = TaskMessage(experimentID: "e", payload: .corpusSynthesis(payload))
        let stored = try await CorpusSynthesisHandler(content: ContentResolver(store: store), inlineScoresLimit: 100).handle(task)
        payload.batchResultsRef = nil
        payload.batchResults = [batch]
        let inline = try await CorpusSynthesisHandler().handle(TaskMessage(experimentID: "e", payload: .corpusSynthesis(payload)))
        #expect(stored.report == inline.report && stored.reportMarkdown == inline.reportMarkdown)
        let reference = try #require(stored.scoresCsvRef)
        #expect(stored.scoresCsv.isEmpty)
        #expect(try store.get(ContentAddress(parsing: reference)) == Array(inline.scoresCsv.utf8))
    }
}

@Suite struct ResolvingHandlerTests {
    /// Records the task it was given.
    struct Recorder: TaskHandler {
        let taskType = TaskType.analyseBatch
        func handle(_ task: TaskMessage) async throws -> TaskMessage { task }
    }

    @Test func externalAnalysersGetTextsNotAddresses() async throws {
        let store = ContentStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("resolving-\(UUID().uuidString)").path)
        let text = "We hope."
        let document = Document(id: "d", textRef: try store.put(Array(text.utf8)).description, textBytes: 8, metadata: ["g": "a"])
        let framework = Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])])
        let task = TaskMessage(
            experimentID: "e", batchIndex: 0, batchCount: 1, payload: .analyseBatch(BatchPayload(framework: framework, documents: [document])))
        let seen = try await ResolvingHandler(Recorder(), content: ContentResolver(store: store)).handle(task)
        guard case .analyseBatch(let batch) = seen.payload else { throw TaskFailure(code: "x", message: "payload") }
        #expect(batch.documents == [Document(id: "d", text: text, metadata: ["g": "a"])])
        // What the program reads on stdin has the text and no reference.
        let json = String(decoding: try MessageCoding.encode(seen), as: UTF8.self)
        #expect(json.contains(#""text":"We hope.""#) && !json.contains("text_ref"))
    }
}
