import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

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
        #expect(error?.message.contains("missing field 'experiment'") == true)
    }

    /// Reasons name fields as the wire spells them (snake_case, indices in brackets), never Swift's property names.
    @Test func errorPathsUseWireFieldNames() throws {
        var request = try JSONSerialization.jsonObject(with: Data(MessageCoding.encode(Fixtures.request("e1")))) as! [String: Any]
        var experiment = request["experiment"] as! [String: Any]
        var framework = experiment["framework"] as! [String: Any]
        framework["derived_metrics"] = [["name": "tension"]]
        experiment["framework"] = framework
        experiment.removeValue(forKey: "batch_size")
        request["experiment"] = experiment
        let missingFormula = Array(try JSONSerialization.data(withJSONObject: request))
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(ExperimentRequest.self, from: missingFormula) }
        let message = try #require(error?.message)
        #expect(
            message.contains("missing field 'experiment.framework.derived_metrics[0].formula'") || message.contains("missing field 'experiment.batch_size'"),
            "\(message)")
        #expect(!message.contains("derivedMetrics") && !message.contains("batchSize"), "\(message)")

        var fresh = try JSONSerialization.jsonObject(with: Data(MessageCoding.encode(Fixtures.request("e1")))) as! [String: Any]
        var freshExperiment = fresh["experiment"] as! [String: Any]
        freshExperiment["batch_size"] = "ten"
        fresh["experiment"] = freshExperiment
        let wrongType = #expect(throws: ContractError.self) {
            try MessageCoding.decode(ExperimentRequest.self, from: Array(try JSONSerialization.data(withJSONObject: fresh)))
        }
        #expect(wrongType?.message.contains("wrong type at experiment.batch_size") == true, "\(wrongType?.message ?? "")")
    }

    @Test(arguments: [
        ("batchSize", "batch_size"), ("experimentId", "experiment_id"), ("derivedMetrics", "derived_metrics"), ("name", "name"), ("reportURL", "report_url"),
    ])
    func snakeCaseMatchesTheEncoder(_ swiftName: String, _ wireName: String) {
        #expect(MessageCoding.snakeCase(swiftName) == wireName)
    }
}

@Suite struct IdentifierTests {
    @Test(arguments: [String(repeating: "a", count: 250), "", "has space", "dots.in.id", "star*", "hash#", "ünï"])
    func requestWithAnIdentifierAMQPCantCarryIsRefused(_ id: String) throws {
        let body = try MessageCoding.encode(Fixtures.request(id))
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(ExperimentRequest.self, from: body) }
        #expect(error?.code == .invalidIdentifier)
    }

    @Test func clientGeneratedIdsAndTheLongestAllowedPass() throws {
        for id in [UUID().uuidString.lowercased(), String(repeating: "A", count: Identifier.maximumExperimentIDLength), "run_7-b"] {
            #expect(try MessageCoding.decode(ExperimentRequest.self, from: MessageCoding.encode(Fixtures.request(id))).experimentID == id)
        }
    }

    /// The longest derived names stay within AMQP's 255-byte short strings.
    @Test func derivedNamesOfTheLongestIdFitShortStrings() {
        let id = String(repeating: "A", count: Identifier.maximumExperimentIDLength)
        let names = [
            TaskType.analyseBatch.taskID(experimentID: id, batchIndex: Int.max) + ".result",
            TaskIdentity(taskID: TaskType.corpusSynthesis.taskID(experimentID: id), experimentID: id, taskType: .corpusSynthesis)
                .messageID(attempt: Int.max, run: Int.max) + ".result",
            "\(id).event.synthesising.\(Int.max)",
            EventRoutingKey.key(experimentID: id, state: .synthesising),
        ]
        for name in names { #expect(name.utf8.count <= 255, "\(name)") }
    }

    @Test func taskWhoseIdDoesNotMatchItsExperimentIsRefused() throws {
        var task = TaskMessage(
            experimentID: "e1", batchIndex: 0, batchCount: 1, payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [])))
        task.taskID = "e2.analyse_batch.0"
        let error = #expect(throws: ContractError.self) { try MessageCoding.decode(TaskMessage.self, from: MessageCoding.encode(task)) }
        #expect(error?.code == .invalidIdentifier)
    }
}

@Suite struct RawResultTests {
    @Test(arguments: [
        #"{"result":{"a":[1,{"b":"}]\"{"}],"c":null},"status":"completed"}"#,
        #"{ "status" : "x", "result" : "a \"quoted\" }] string" , "z": 1 }"#,
        #"{"resultx":1,"result":-1.5e3}"#,
        #"{"nested":{"result":1},"result":[true,false]}"#,
    ])
    func scannerCutsOutTheTopLevelMemberExactly(_ text: String) throws {
        let bytes = Array(text.utf8)
        let range = try #require(JSONMembers(bytes)?.value("result"))
        let raw = Array(bytes[range])
        // The cut is a complete JSON value, equal to what a real parser finds there.
        let parsed = try MessageCoding.decode([String: JSONValue].self, from: bytes)
        #expect(try MessageCoding.decode(JSONValue.self, from: raw) == parsed["result"])
    }

    @Test func missingOrBrokenMemberIsNotFound() {
        #expect(JSONMembers(Array(#"{"status":"failed"}"#.utf8))?.value("result") == nil)
        #expect(JSONMembers(Array(#"{"result":"unterminated}"#.utf8))?.value("result") == nil)
        #expect(JSONMembers(Array("[1,2]".utf8))?.value("result") == nil)
    }

    @Test func failedResultHasNoBytes() throws {
        let task = TaskMessage(
            experimentID: "e1", batchIndex: 0, batchCount: 1, payload: .analyseBatch(BatchPayload(framework: Fixtures.framework, documents: [])))
        let failed = TaskResult<JSONValue>(
            task: task.identity, status: .failed, error: TaskFailure(code: "x", message: "y"), workerID: "w", startedAt: Date(), finishedAt: Date())
        let raw = try MessageCoding.decodeResult(from: MessageCoding.encode(failed))
        #expect(raw.result == nil && raw.error?.code == "x")
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
