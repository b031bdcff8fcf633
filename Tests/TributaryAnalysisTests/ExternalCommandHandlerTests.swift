import Foundation
import Testing
import TributaryCore
import TributaryTestSupport

@testable import TributaryAnalysis

@Suite struct ExternalCommandHandlerTests {
    static let example = Repository.root.appendingPathComponent("Deploy/analysers/phrase_counter.py").path

    let task = TaskMessage(
        experimentID: "e", batchIndex: 3, batchCount: 4,
        payload: .analyseBatch(
            BatchPayload(
                framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])]),
                documents: [Document(id: "a", text: "Hope is here. No hope there."), Document(id: "b", text: "Nothing.")])))

    func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("analyser-\(UUID().uuidString).sh").path
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func bundledExampleFollowsTheContract() async throws {
        let output = try await ExternalCommandHandler(taskType: .analyseBatch, executable: Self.example).handle(task)
        let batch = try MessageCoding.decode(BatchAnalysis.self, from: MessageCoding.encode(output))
        #expect(batch.batchIndex == 3)
        #expect(batch.documents.map(\.id) == ["a", "b"])
        #expect(batch.documents[0].scores["hope"]?.raisesHits == 2)
        #expect(batch.documents[0].scores["hope"]?.evidence.first?.sentence == "Hope is here.")
    }

    @Test func failureCarriesStatusAndStderr() async throws {
        let path = try script("echo 'model quota exceeded' >&2\nexit 3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path).handle(task)
        }
        #expect(failure?.code == "analyser_failed")
        #expect(failure?.message.contains("status 3") == true)
        #expect(failure?.message.contains("model quota exceeded") == true)
    }

    @Test func timeoutKillsTheProgram() async throws {
        let path = try script("echo started >&2\nexec sleep 30")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ContinuousClock()
        let start = clock.now
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path, timeout: .milliseconds(500)).handle(task)
        }
        #expect(failure?.code == "analyser_timeout")
        #expect(failure?.message.contains("started") == true)
        #expect(clock.now - start < .seconds(10))
    }

    @Test func outputThatIsNotJSONFails() async throws {
        let path = try script("cat > /dev/null\necho 'not json'")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path).handle(task)
        }
        #expect(failure?.code == "analyser_bad_output")
    }
}
