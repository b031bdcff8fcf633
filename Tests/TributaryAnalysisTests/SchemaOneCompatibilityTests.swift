import Foundation
import Testing
import TributaryCore

@testable import TributaryAnalysis

/// Messages as producers from before a field existed wrote them, still at schema version 1.
/// A field added within a version must be optional, so that during a rolling upgrade an
/// older orchestrator's or agent's message is still processed rather than dead-lettered.
@Suite struct SchemaOneCompatibilityTests {
    /// A synthesis task from an orchestrator before failure tolerance and `tributary retry`:
    /// no `coverage` and no `run` in its payload.
    static let synthesisTaskBeforeCoverage = #"""
        {"attempt":1,"batch_count":2,"experiment_id":"e1","schema_version":1,"task_id":"e1.corpus_synthesis","task_type":"corpus_synthesis",
         "payload":{"experiment_name":"exp","research_question":"q","group_by":null,
          "framework":{"name":"affect","version":"1","dimensions":[{"name":"hope","raises":["hope"]}]},
          "batch_results":[
            {"batch_index":0,"documents":[{"id":"d0","word_count":3,"metadata":{},"scores":{"hope":{"raw_score":0.5,"salience":33.3,"confidence":0.33,"raises_hits":1,"lowers_hits":0,"evidence":[]}},"derived":{}}]},
            {"batch_index":1,"documents":[{"id":"d1","word_count":4,"metadata":{},"scores":{"hope":{"raw_score":0.25,"salience":25,"confidence":0.33,"raises_hits":1,"lowers_hits":0,"evidence":[]}},"derived":{}}]}]}}
        """#

    @Test func synthesisTaskWithoutCoverageIsReadAsTheFirstRunOverEveryDocument() async throws {
        let task = try MessageCoding.decode(TaskMessage.self, from: Array(Self.synthesisTaskBeforeCoverage.utf8))
        guard case .corpusSynthesis(let payload) = task.payload else {
            Issue.record("not a synthesis task")
            return
        }
        #expect(payload.run == 1)
        #expect(payload.coverage == Coverage(documentsPlanned: 2, failedBatches: []))

        // And the agent processes it as it did then.
        let output = try await CorpusSynthesisHandler().handle(task)
        #expect(output.report.run == 1)
        #expect(output.report.documentCount == 2)
        #expect(output.report.coverage == CorpusReport.ReportCoverage(documentsPlanned: 2, documentsAnalysed: 2, failedBatches: []))
    }

    @Test func reportWithoutRunOrCoverageFromAnOlderAgentDecodes() throws {
        let task = try MessageCoding.decode(TaskMessage.self, from: Array(Self.synthesisTaskBeforeCoverage.utf8))
        guard case .corpusSynthesis(let payload) = task.payload else {
            Issue.record("not a synthesis task")
            return
        }
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(MessageCoding.encode(CorpusSynthesiser.synthesise(payload, batches: payload.batchResults))))
                as? [String: Any])
        object["run"] = nil
        object["coverage"] = nil
        let older = try JSONSerialization.data(withJSONObject: object)
        let report = try MessageCoding.decode(CorpusReport.self, from: Array(older))
        #expect(report.run == 1)
        #expect(report.coverage == CorpusReport.ReportCoverage(documentsPlanned: 2, documentsAnalysed: 2, failedBatches: []))
    }

    /// A status event from an orchestrator before retries, cancellation and tracing.
    @Test func statusWithoutTheResilienceFieldsDecodes() throws {
        let older = #"""
            {"schema_version":1,"experiment_id":"e1","name":"exp","state":"completed","batch_count":2,"batches_completed":2,
             "duplicates_ignored":0,"synthesis_requests":1,"warnings":[],"at":"2026-01-01T00:00:00Z"}
            """#
        let status = try MessageCoding.decode(ExperimentStatus.self, from: Array(older.utf8))
        #expect(status.run == 1)
        #expect(status.retries == 0 && status.failedBatches == 0 && status.inFlight == 0 && !status.cancelled)
        #expect(status.lastProgressAt == status.at)
        #expect(status.traceID == nil)
    }
}
