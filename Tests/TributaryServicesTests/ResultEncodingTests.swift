import Foundation
import Testing
import TributaryAnalysis
import TributaryCore

/// Agents encode a handler's typed output once, straight into the result envelope. The
/// bytes must be exactly what the old path gave (output → JSON tree → envelope), so that
/// stored results, splicing and every consumer see the same wire format.
@Suite struct ResultEncodingTests {
    static let framework = Framework(
        name: "affect", version: "1",
        dimensions: [Dimension(name: "hope", raises: ["hope", "bright future"]), Dimension(name: "fear", raises: ["fear"], lowers: ["no fear"])],
        derivedMetrics: [DerivedMetric(name: "tension", formula: "abs(hope - fear)"), DerivedMetric(name: "ratio", formula: "hope / fear")],
        indices: [FrameworkIndex(name: "affect", dimensions: ["hope", "fear"])])

    static let documents = [
        Document(id: "a", text: "A bright future. We hope! No fear.", metadata: ["region": "north"]),
        Document(id: "b", text: "Fear and fear again; hope is thin.", metadata: ["region": "south"]),
        Document(id: "c", text: "Nothing at all.", metadata: ["region": "north"]),
    ]

    static let started = Date(timeIntervalSince1970: 1_764_000_000)

    func expectSameBytes<Output: Encodable & Sendable>(_ output: Output, for task: TaskMessage) throws {
        let typed = TaskResult(task: task.identity, status: .completed, result: output, workerID: "w", startedAt: Self.started, finishedAt: Self.started)
        let tree = try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(output))
        let viaTree = TaskResult(task: task.identity, status: .completed, result: tree, workerID: "w", startedAt: Self.started, finishedAt: Self.started)
        let bytes = try MessageCoding.encode(typed)
        #expect(bytes == (try MessageCoding.encode(viaTree)))
        #expect(try MessageCoding.decode(TaskResult<JSONValue>.self, from: bytes) == viaTree)
        // The orchestrator's raw path: the same envelope, and the output's bytes exactly as encoded.
        let raw = try MessageCoding.decodeResult(from: bytes)
        #expect(raw.result?.bytes == (try MessageCoding.encode(output)))
        #expect(raw.taskID == task.taskID && raw.status == .completed && raw.attempt == 1)
    }

    @Test func analyseBatchResultBytesAreUnchanged() async throws {
        let task = TaskMessage(
            experimentID: "e", batchIndex: 2, batchCount: 3, payload: .analyseBatch(BatchPayload(framework: Self.framework, documents: Self.documents)))
        let output = try await AnalyseBatchHandler().handle(task)
        #expect(output.documents.contains { $0.derived["ratio"] == .some(nil) }, "a null derived metric is part of what is checked")
        try expectSameBytes(output, for: task)
    }

    @Test func preTestResultBytesAreUnchanged() async throws {
        let spec = ExperimentSpec(name: "x", framework: Self.framework, documents: Self.documents, batchSize: 2, groupBy: "region")
        let task = TaskMessage(experimentID: "e", payload: .preTest(spec))
        try expectSameBytes(try await PreTestHandler().handle(task), for: task)
    }

    @Test func synthesisResultBytesAreUnchanged() async throws {
        let batch = try await AnalyseBatchHandler().handle(
            TaskMessage(
                experimentID: "e", batchIndex: 0, batchCount: 1, payload: .analyseBatch(BatchPayload(framework: Self.framework, documents: Self.documents))))
        let payload = SynthesisPayload(
            experimentName: "x", researchQuestion: "q?", groupBy: "region", framework: Self.framework, batchResults: [batch],
            coverage: Coverage(documentsPlanned: 3))
        let task = TaskMessage(experimentID: "e", payload: .corpusSynthesis(payload))
        try expectSameBytes(try await CorpusSynthesisHandler().handle(task), for: task)
    }
}
