import Foundation
import Testing
import TributaryAnalysis
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The kit's fault helpers, as a user's test would use them: an in-process agent loses the
/// broker and gets it back, the orchestrator is killed and restarted on its store, and a
/// graceful stop exits 0. The experiment still completes with every batch counted once.
@Suite(.serialized, TestBroker.required) struct KitFaultTests {
    @Test func anAgentCutOffAndAnOrchestratorKilledAndRestartedStillCompleteTheExperiment() async throws {
        var configuration = TestPipeline.Configuration()
        configuration.brokerURL = try TestBroker.requireURL()
        configuration.brokerProxies = true
        configuration.analysers = 0
        try await withTestPipeline(configuration: configuration) { pipeline in
            let agent = try pipeline.runAgent(AnalyseBatchHandler())
            try await pipeline.start()
            #expect(agent.isReady)

            try await pipeline.cutBrokerConnection(of: agent)
            try await eventually(within: .seconds(30), "the agent to see its broker gone") { !agent.isReady }
            let subscription = try await pipeline.client.submit(Corpus.spec(name: "faults", documents: 6, batchSize: 1))
            let orchestrator = try #require(pipeline.orchestrator)
            try await pipeline.kill(orchestrator)
            let restarted = try pipeline.restart(orchestrator)
            #expect(pipeline.orchestrator === restarted)
            try pipeline.restoreBrokerConnection(of: agent)

            let outcome = try await subscription.outcome(within: .seconds(90))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            #expect(outcome.batchesCompleted == 6)
            #expect(outcome.synthesisRequests == 1)
            try expectEveryDocumentOnce(outcome, documents: 6)
            #expect(try await pipeline.stop(restarted) == 0, "\(restarted.log)")
        }
    }
}
