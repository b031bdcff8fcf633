import SentenceAnalysis
import Testing
import TributaryCore
import TributaryTesting

/// The Swift handler, run by Tributary's agent runtime inside this test process, behind a
/// real orchestrator, pre-test and synthesis agent on a local broker.
@Test func theSwiftHandlerScoresEveryDocumentOfAnExperiment() async throws {
    var configuration = TestPipeline.Configuration()
    configuration.analysers = 0  // no built-in analysers: this handler takes the tasks
    try await withTestPipeline(configuration: configuration) { pipeline in
        try pipeline.runAgent(SentenceShareHandler())
        try await pipeline.start()

        let outcome = try await pipeline.client.submit(Corpus.spec).outcome(within: .seconds(60))

        #expect(outcome.state == .completed, "\(outcome.error ?? "")")
        #expect(outcome.batchesCompleted == 3)
        #expect(outcome.hopeScores == ["a": 0.5, "b": 0, "c": 1])
    }
}

/// The handler alone: no broker.
@Test func sentencesWithAPhraseOverAllSentences() {
    let analysis = SentenceShareHandler.analyse(
        id: "d", text: "Hope. No. Hope?", metadata: [:], dimensions: [TributaryCore.Dimension(name: "hope", raises: ["hope"])])
    let hope = analysis.scores["hope"]
    #expect(hope?.rawScore == 2.0 / 3.0)
    #expect(hope?.evidence.map(\.sentence) == ["Hope.", "Hope?"])
    #expect(hope?.evidence.map(\.start) == [0, 10])
}
