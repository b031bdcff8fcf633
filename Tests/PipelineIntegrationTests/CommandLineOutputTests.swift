import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

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

    /// `submit --estimate` prices an llm corpus from the model table and sends nothing: no
    /// experiment appears, and the figures are the corpus's at the table's prices and limits.
    @Test func submitEstimatePricesTheCorpusAndSendsNothing() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            var spec = Corpus.spec(name: "estimated", documents: 30, batchSize: 1)
            spec.analyser = AnalyserSettings(kind: .llm, model: "m", maxOutputTokens: 100)
            let specPath = "\(harness.directory)/estimated.json"
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: specPath))
            let table = "\(harness.directory)/models.yaml"
            try "m:\n  requests_per_minute: 60\n  input_price_per_million: 1000\n  output_price_per_million: 2000\n"
                .write(toFile: table, atomically: true, encoding: .utf8)
            let estimate = try harness.runClient(["submit", specPath, "--estimate", "--models", table, "--json"])
            #expect(try await estimate.waitForExit(within: .seconds(30)) == 0, "\(estimate.log)")
            let figures = try MessageCoding.decode(CostEstimate.self, from: Array(estimate.log.utf8))
            #expect(figures.basis == .corpus && figures.documents == 30 && figures.requests == 30 && figures.outputTokens == 3_000)
            let cost = (Double(figures.inputTokens) * 1_000 + Double(figures.outputTokens) * 2_000) / 1_000_000
            #expect(abs((figures.cost ?? 0) - cost) < 1e-9)
            #expect(figures.seconds == 30, "30 requests at 60 a minute")
            let listed = try await harness.client.list()
            #expect(listed.isEmpty, "an estimate submitted \(listed.map(\.experimentID))")
        }
    }

    /// `submit --out` pins the inputs in experiment.lock.json; `--locked` then refuses a corpus
    /// with one changed document, names it, and sends nothing, but lets the unchanged one through.
    @Test func submitLockedRefusesAChangedCorpusAndNamesTheDocument() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            var spec = Corpus.spec(name: "pinned", documents: 4, batchSize: 1)
            let specPath = "\(harness.directory)/pinned.json"
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: specPath))
            let out = "\(harness.directory)/pinned-out"
            let first = try harness.runClient(["submit", specPath, "--out", out, "--experiment-id", "pinned-1"])
            #expect(try await first.waitForExit(within: .seconds(30)) == 0, "\(first.log)")
            let lockPath = "\(out)/\(RunLock.fileName)"
            let lock = try MessageCoding.decoder().decode(RunLock.self, from: Data(contentsOf: URL(fileURLWithPath: lockPath)))
            #expect(lock.documents.map(\.id) == spec.documents.map(\.id))

            spec.documents[2].text += " And one sentence more."
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: specPath))
            let refused = try harness.runClient(["submit", specPath, "--locked", lockPath, "--experiment-id", "pinned-2"])
            #expect(try await refused.waitForExit(within: .seconds(30)) == 1, "\(refused.log)")
            #expect(refused.log.contains("document \(spec.documents[2].id) differs"), "\(refused.log)")
            #expect(!refused.log.contains(spec.documents[1].id), "only the changed document is named: \(refused.log)")

            spec.documents[2].text = Corpus.spec(name: "pinned", documents: 4, batchSize: 1).documents[2].text
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: specPath))
            let accepted = try harness.runClient(["submit", specPath, "--locked", lockPath, "--experiment-id", "pinned-3"])
            #expect(try await accepted.waitForExit(within: .seconds(30)) == 0, "\(accepted.log)")
            let listed = try await harness.client.list().map(\.experimentID)
            #expect(Set(listed) == ["pinned-1", "pinned-3"], "the refused submission sent nothing")
            let all = try harness.runClient(["list", "--all", "--json"])
            #expect(try await all.waitForExit(within: .seconds(30)) == 0, "\(all.log)")
            let line = try #require(all.log.split(separator: "\n").last { $0.hasPrefix("[") }, "\(all.log)")
            #expect(Set(try MessageCoding.decode([ExperimentStatus].self, from: Array(line.utf8)).map(\.experimentID)) == ["pinned-1", "pinned-3"])
        }
    }
}
