import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

/// The run lock pins every input and names what moved; pre-registration is only as good as
/// the differences it notices.
@Suite struct RunLockTests {
    func spec(_ change: (inout ExperimentSpec) -> Void = { _ in }) -> ExperimentSpec {
        var spec = Fixtures.spec(documents: 3, batchSize: 1)
        spec.analyser = AnalyserSettings(kind: .llm, model: "m", temperature: 0, seed: 7)
        change(&spec)
        return spec
    }

    func differences(_ change: (inout ExperimentSpec) -> Void, table: ModelTable = ModelTable()) throws -> [String] {
        try RunLock(spec: spec(), modelTable: ModelTable()).differences(from: RunLock(spec: spec(change), modelTable: table))
    }

    @Test func theSameInputsMakeTheSameLockAndItSurvivesItsFile() throws {
        let lock = try RunLock(spec: spec(), modelTable: ModelTable())
        #expect(lock == (try RunLock(spec: spec(), modelTable: ModelTable())))
        let read = try MessageCoding.decoder().decode(RunLock.self, from: Data(RunLock.fileBytes(lock)))
        #expect(read == lock)
        #expect(read.differences(from: lock).isEmpty)
        #expect(lock.documents.count == 3)
        #expect(lock.tributaryVersion == TributaryVersion.current)
    }

    @Test func aChangedDocumentIsNamed() throws {
        let found = try differences { $0.documents[1].text += " changed" }
        #expect(found == ["document \(spec().documents[1].id) differs (its text or metadata)"])
        let metadata = try differences { $0.documents[0].metadata["group"] = "elsewhere" }
        #expect(metadata == ["document \(spec().documents[0].id) differs (its text or metadata)"])
    }

    @Test func addedRemovedAndReorderedDocumentsAreNamed() throws {
        let added = try differences { $0.documents.append(Document(id: "extra", text: "more", metadata: [:])) }
        #expect(added == ["document extra is new"])
        let removed = try differences { $0.documents.removeLast() }
        #expect(removed == ["document \(spec().documents[2].id) is gone"])
        let reordered = try differences { $0.documents.reverse() }
        #expect(reordered == ["the documents' order"])
    }

    @Test func eachKindOfInputIsItsOwnLine() throws {
        #expect(try differences { $0.framework.dimensions[0].description = "moved" } == ["the framework"])
        #expect(try differences { $0.analyser?.prompt = "Score {{document}}" } == ["the prompt template"])
        #expect(try differences { $0.analyser?.temperature = 0.7 } == ["the analyser (llm m → llm m)"])
        #expect(try differences { $0.analyser?.model = "n" } == ["the analyser (llm m → llm n)"])
        #expect(try differences { $0.batchSize = 2 } == ["the experiment's settings"])
        #expect(try differences { $0.cache = .off } == ["the experiment's settings"])
        let table = ModelTable(["m": ModelLimits(requestsPerMinute: 10)])
        #expect(try differences({ _ in }, table: table) == ["the model table's entry for the model"])
        // The pilot's choice of documents is the orchestrator's, not an input.
        #expect(try differences { $0.analyser?.pilotDocumentIDs = ["x"] }.isEmpty)
    }

    @Test func anotherTributaryVersionIsADifference() throws {
        let lock = try RunLock(spec: spec(), modelTable: ModelTable())
        var older = lock
        older.tributaryVersion = "0.1.0"
        #expect(older.differences(from: lock) == ["the Tributary version (0.1.0 → \(TributaryVersion.current))"])
    }
}

/// The report query's reply carries the stored synthesis task as it is; it must still decode.
@Suite struct ReportReplyTests {
    @Test func theSplicedTaskDecodes() throws {
        let payload = SynthesisPayload(
            experimentName: "x", researchQuestion: "q", groupBy: nil, framework: Fixtures.spec(documents: 1, batchSize: 1).framework, batchResults: [],
            coverage: Coverage(documentsPlanned: 1, failedBatches: []), run: 2)
        let task = TaskMessage(experimentID: "e1", attempt: 1, run: 2, payload: .corpusSynthesis(payload))
        let bytes = try ReportReply.encoded(experimentID: "e1", status: nil, task: MessageCoding.encode(task))
        let reply = try MessageCoding.decode(ReportReply.self, from: bytes)
        #expect(reply.experimentID == "e1" && reply.task == task && reply.status == nil)
        let none = try MessageCoding.decode(ReportReply.self, from: ReportReply.encoded(experimentID: "e1", status: nil, task: nil))
        #expect(none.task == nil)
    }
}
