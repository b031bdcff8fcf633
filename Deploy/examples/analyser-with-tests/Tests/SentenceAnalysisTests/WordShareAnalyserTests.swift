import Foundation
import Testing
import TributaryTesting

/// `analyser/word_share.py`, the external analyser, as Tributary runs it: the analyse agent
/// executables start it once per task.
@Suite struct WordShareAnalyserTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("analyser/word_share.py").path

    @Test func theAgentsRunTheProgramForEveryBatch() async throws {
        var configuration = TestPipeline.Configuration()
        configuration.analyserCommand = [Self.script]
        try await withTestPipeline(configuration: configuration) { pipeline in
            try await pipeline.start()

            let outcome = try await pipeline.client.submit(Corpus.spec).outcome(within: .seconds(60))

            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.hopeScores == ["a": 2.0 / 9.0, "b": 0, "c": 0.75])
        }
    }

    /// The program passes Tributary's conformance run: shapes, exit statuses, timeouts, hygiene.
    @Test func theProgramPassesAnalyserCheck() async throws {
        try await withTestPipeline { pipeline in
            let check = try pipeline.runService("tributary", ["analyser-check", "--command", Self.script])
            let status = try await check.waitForExit(within: .seconds(120))
            #expect(status == 0, "\(check.log)")
        }
    }
}
