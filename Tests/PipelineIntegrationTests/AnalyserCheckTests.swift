import Foundation
import Testing
import TributaryTestSupport
import TributaryTesting

/// `tributary analyser-check` as a user runs it: the bundled example passes every check, and
/// each broken analyser fails, with a message that names what is wrong.
@Suite struct AnalyserCheckTests {
    static func check(_ program: [String], timeout: Int = 30) async throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("analyser-check-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ServiceProcess(
            executable: "\(PipelineHarness.binDirectory)/tributary", arguments: ["analyser-check", "--timeout", "\(timeout)", "--command"] + program,
            name: "analyser-check", logDirectory: directory)
        // Five tasks and twenty more calls, each bounded by the timeout.
        let status = try await process.waitForExit(within: .seconds(Int64(30 * timeout + 60)))
        return (status, process.log)
    }

    static func fixture(_ name: String) -> String { Repository.path("Tests/Fixtures/analysers/\(name)") }

    @Test func theBundledExamplePassesEveryCheck() async throws {
        let (status, output) = try await Self.check(["python3", Repository.path("Deploy/analysers/phrase_counter.py")])
        #expect(status == 0, "\(output)")
        #expect(output.contains("analyser-check: all 7 checks passed"), "\(output)")
        for check in ["three documents", "an empty text", "a 2 MiB text", "Unicode ids, text and metadata", "a text in the content store", "20 calls"] {
            #expect(output.contains("ok    \(check)"), "\(check): \(output)")
        }
    }

    @Test(arguments: [
        ("wrong-shape.py", "the result is not the analyse_batch shape", "missing field 'batch_index'"),
        ("garbage.sh", "exited 0 but its standard output is not one JSON value", "logs belong on stderr"),
        ("hang.sh", "did not finish within the timeout", "stderr: thinking"),
    ])
    func aBrokenAnalyserFailsSayingWhy(program: String, problem: String, detail: String) async throws {
        let (status, output) = try await Self.check([Self.fixture(program)], timeout: 2)
        #expect(status == 1, "\(output)")
        #expect(output.contains("FAIL  three documents: \(problem)"), "\(output)")
        #expect(output.contains(detail), "\(output)")
        #expect(output.contains("checks failed"), "\(output)")
    }

    @Test func aProgramThatIsNotThereIsRefused() async throws {
        let (status, output) = try await Self.check(["/nonexistent/analyser"])
        #expect(status != 0 && output.contains("is not an executable file"), "\(output)")
    }
}
