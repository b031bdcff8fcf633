import Foundation
import Testing
import TributaryCore
import TributaryTestSupport

@Suite struct MessageCodingTests {
    @Test func taskMessageRoundTripsAndUsesSnakeCase() throws {
        let task = TaskMessage(
            experimentID: "e1", batchIndex: 2, batchCount: 5,
            payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [Document(id: "a", text: "t")])))
        let bytes = try MessageCoding.encode(task)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"task_id\":\"e1.analyse_batch.2\""))
        #expect(text.contains("\"schema_version\":1"))
        #expect(text.contains("\"task_type\":\"analyse_batch\""))
        #expect(try MessageCoding.decode(TaskMessage.self, from: bytes) == task)
        #expect(try MessageCoding.encode(task) == bytes, "encoding must be deterministic")
    }

    @Test func unknownSchemaVersionIsReportedAsSuch() throws {
        let body = Array(#"{"schema_version":2,"experiment_id":"x"}"#.utf8)
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(ExperimentRequest.self, from: body) }
        #expect(error?.code == .unsupportedSchemaVersion)
    }

    @Test(arguments: [
        "", "not json", "[]", #"{"schema_version":1}"#, #"{"schema_version":1,"task_id":"t","experiment_id":"e","task_type":"dance","payload":{}}"#,
    ])
    func malformedMessagesGiveAClearError(_ text: String) {
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(TaskMessage.self, from: Array(text.utf8)) }
        #expect(error?.code == .malformed)
        #expect(error?.message.isEmpty == false)
    }

    @Test func missingFieldIsNamed() {
        let error = #expect(throws: ContractError.self) {
            try MessageCoding.decode(
                ExperimentRequest.self, from: Array(#"{"schema_version":1,"experiment_id":"e","submitted_at":"2026-11-25T00:00:00Z"}"#.utf8))
        }
        #expect(error?.message.contains("experiment") == true)
    }
}

@Suite struct SchemaVersionTests {
    /// A newer message that otherwise decodes fine must still be refused.
    @Test func wellFormedMessageOfAnotherVersionIsRefused() throws {
        var query = StatusQuery(experimentID: "e")
        query.schemaVersion = 2
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(StatusQuery.self, from: MessageCoding.encode(query)) }
        #expect(error?.code == .unsupportedSchemaVersion)
    }
}
