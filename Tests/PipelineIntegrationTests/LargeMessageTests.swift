import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// Message size limits, on a broker node of their own whose limit is 200 KiB: a task the
/// broker refuses fails its experiment with the broker's reason, and with a content store no
/// message comes near the limit.
@Suite(BrokerMessageLimit.available) struct LargeMessageTests {
    /// The synthesis input of 1,500 short documents is larger than 200 KiB, their request is not.
    @Test func taskTheBrokerRefusesFailsTheExperimentWithTheReason() async throws {
        let limited = try BrokerMessageLimit.require()
        try await withPipeline(brokerURL: limited.url) { harness in
            try harness.startPipeline()
            try await harness.waitUntilReady()
            let subscription = try await harness.client.submit(Corpus.spec(name: "big", documents: 1_500, batchSize: 100))
            let outcome = try await subscription.outcome(within: .seconds(120))
            #expect(outcome.state == .failed, "\(harness.logs)")
            let reason = outcome.error ?? ""
            #expect(reason.contains("corpus_synthesis") && reason.contains("refused by the broker"), "\(reason)")
            #expect(reason.contains("larger than configured max size \(limited.bytes)"), "\(reason)")
            // Refused once for good, not re-published in a loop.
            let refusals = harness.orchestrator?.log.components(separatedBy: "broker refuses outbox message for good").count ?? 0
            #expect(refusals - 1 == 1, "\(harness.logs)")
        }
    }

    /// The same experiment through a content store: the corpus as a manifest and text
    /// references, the synthesis input as a stored blob. It completes under the same limit, and
    /// its report and scores equal those of the corpus sent inline.
    @Test func contentStoreKeepsEveryMessageSmall() async throws {
        let limited = try BrokerMessageLimit.require()
        try await withPipeline(brokerURL: limited.url) { harness in
            let store = "\(harness.directory)/content"
            harness.serviceArguments = ["--document-store", store]
            harness.orchestratorArguments = ["--inline-synthesis-limit", "4096"]
            try await runBothWays(harness, store: store)
        }
    }

    private func runBothWays(_ harness: PipelineHarness, store: String) async throws {
        try harness.startPipeline()
        try await harness.waitUntilReady()
        let generate = try ServiceProcess(
            executable: "\(PipelineHarness.binDirectory)/tributary",
            arguments: [
                "generate-corpus", "\(harness.directory)/experiment", "--documents", "1200", "--words", "12", "--batch-size", "100", "--seed", "3",
            ],
            name: "generate-corpus", logDirectory: harness.directory)
        #expect(try await generate.waitForExit(within: .seconds(60)) == 0, "\(generate.log)")
        var outputs: [String] = []
        for (index, viaStore) in [true, false].enumerated() {
            let out = "\(harness.directory)/out-\(index)"
            let submit = try harness.runClient(
                ["submit", "\(harness.directory)/experiment", "--wait", "--quiet", "--timeout", "120", "--out", out]
                    + (viaStore ? ["--document-store", store] : []))
            #expect(try await submit.waitForExit(within: .seconds(150)) == 0, "\(submit.log)\n\(harness.logs)")
            outputs.append(out)
        }
        for file in ["report.json", "report.md", "scores.csv"] {
            let first = FileManager.default.contents(atPath: "\(outputs[0])/\(file)")
            #expect(first != nil && first == FileManager.default.contents(atPath: "\(outputs[1])/\(file)"), "\(file) differs")
        }
        // The texts, the manifest and the synthesis inputs are in the store.
        let blobs = FileManager.default.enumerator(atPath: "\(store)/sha256")?.allObjects.count ?? 0
        #expect(blobs > 1_200, "\(blobs) entries in the store")
    }
}
