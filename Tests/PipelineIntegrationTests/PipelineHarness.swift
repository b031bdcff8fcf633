import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The project's own end-to-end suites run on the users' test kit (``TestPipeline``), so
/// what the kit offers is what these suites prove.
typealias PipelineHarness = TestPipeline

extension TestPipeline {
    /// Where `swift build` put the executables (`TRIBUTARY_BIN_DIR`, else next to the test binary).
    static var binDirectory: String { defaultExecutablesDirectory }

    /// Puts a valid experiment request for `id` in the dead-letter queue, as if it had been
    /// refused (`reason`) on its way to the requests queue; returns once the broker has it.
    func deadLetterRequest(_ id: String, reason: String = "malformed: refused while misconfigured") async throws {
        var properties = AMQPProperties(
            contentType: "application/json",
            headers: ["x-tributary-rejection-reason": .string(reason), "x-tributary-source-queue": .string(topology.requestsQueue)],
            deliveryMode: .persistent, correlationID: id, messageID: id, type: MessageType.experimentRequest.rawValue)
        properties.appID = "test"
        try await connection.publish(
            try MessageCoding.encode(
                ExperimentRequest(experimentID: id, submittedAt: Date(), experiment: Corpus.spec(name: "again", documents: 2, batchSize: 1))),
            exchange: topology.deadLetterExchange, routingKey: "", properties: properties)
        let client = client
        try await eventually(within: .seconds(10), "the dead letter \(id) to arrive") { try await client.deadLetters().contains { $0.messageID == id } }
    }
}

/// Runs `body` against a fresh pipeline on the tests' broker; any error fails the test with
/// every process's log, and the kit removes the pipeline whatever happens.
func withPipeline(_ name: String = #function, brokerURL: String? = nil, _ body: (PipelineHarness) async throws -> Void) async throws {
    var configuration = TestPipeline.Configuration()
    configuration.brokerURL = try brokerURL ?? TestBroker.requireURL()
    do {
        try await withTestPipeline(name, configuration: configuration, body)
    } catch {
        Issue.record("\(error)")
    }
}

typealias HarnessError = TestPipelineError

enum Corpus {
    static let framework = Framework(
        name: "affect", version: "1",
        dimensions: [Dimension(name: "hope", raises: ["hope"]), Dimension(name: "fear", raises: ["fear"])])

    /// `documents` documents of `wordsEach` words each, so the expected totals are known exactly.
    static func spec(name: String, documents: Int, batchSize: Int, wordsEach: Int = 5) -> ExperimentSpec {
        ExperimentSpec(
            name: name, framework: framework,
            documents: (0..<documents).map { index in
                Document(
                    id: "\(name)-\(index)", text: Array(repeating: index % 2 == 0 ? "hope" : "fear", count: wordsEach).joined(separator: " "),
                    metadata: ["group": index % 2 == 0 ? "a" : "b"])
            },
            batchSize: batchSize)
    }
}

extension JSONValue {
    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

/// The scores table has exactly one row per document: nothing was counted twice or lost.
func expectEveryDocumentOnce(_ outcome: ExperimentStatus, documents: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
    guard case .string(let csv)? = outcome.report?["scores_csv"] else {
        Issue.record("no scores_csv in the result", sourceLocation: sourceLocation)
        return
    }
    let ids = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }
    #expect(ids.count == documents, sourceLocation: sourceLocation)
    #expect(Set(ids).count == documents, "a document appears twice", sourceLocation: sourceLocation)
}
