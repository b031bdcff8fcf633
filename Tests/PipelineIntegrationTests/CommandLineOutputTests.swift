import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport

/// What the `tributary` CLI writes when its output is not a terminal: a script reads it from a
/// pipe or a file while the command still runs, so every line must be there as it is written,
/// and the answer must not drown in the connection's own log lines.
@Suite(TestBroker.required)
struct CommandLineOutputTests {
    /// `submit --wait` with no orchestrator waits for ever; the id it prints must be readable
    /// (here from a log file) long before it exits.
    @Test func submitPrintsItsExperimentIDWhileItWaits() async throws {
        try await withPipeline { harness in
            let specPath = "\(harness.directory)/unanswered.json"
            try Data(try MessageCoding.encode(Corpus.spec(name: "unanswered", documents: 2, batchSize: 1))).write(to: URL(fileURLWithPath: specPath))
            let id = "unanswered-\(UInt32.random(in: 0...UInt32.max))"
            let submit = try harness.runClient(["submit", specPath, "--experiment-id", id, "--wait", "--timeout", "120"])
            try await eventually(within: .seconds(30), "submit to print its experiment id") { submit.log.contains("submitted experiment \(id)") }
            #expect(submit.isRunning, "\(submit.log)")
            #expect(!submit.log.contains("AMQP connection open"), "the CLI logs at warning unless asked: \(submit.log)")
            #expect(try await submit.terminate() != 0)
        }
    }

    /// `watch` in text mode prints each event as it comes, and asked for info it logs again.
    @Test func watchInTextModePrintsEachEventAsItComes() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            let watch = try harness.runClient(["watch", "--log-level", "info"])
            try await eventually(within: .seconds(30), "watch to connect") { watch.log.contains("AMQP connection open") }
            let id = "watched-\(UInt32.random(in: 0...UInt32.max))"
            _ = try await harness.client.submit(Corpus.spec(name: "watched", documents: 2, batchSize: 1), experimentID: id)
            try await eventually(within: .seconds(30), "watch to print the experiment's first event") { watch.log.contains(id) }
            #expect(watch.isRunning, "\(watch.log)")
            _ = try await watch.terminate()
        }
    }
}
