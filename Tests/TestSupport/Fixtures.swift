import Foundation
import TributaryCore

/// Experiments, tasks and results the unit tests share.
package enum Fixtures {
    package static let framework = Framework(
        name: "affect", version: "1",
        dimensions: [Dimension(name: "hope", raises: ["hope"]), Dimension(name: "fear", raises: ["fear"])],
        derivedMetrics: [DerivedMetric(name: "tension", formula: "abs(hope - fear)")])

    package static func spec(
        documents: Int, batchSize: Int, name: String = "exp", retry: RetryPolicy = RetryPolicy(), tolerate: FailureTolerance = .none,
        maxInFlight: Int = ExperimentSpec.defaultMaxInFlight
    ) -> ExperimentSpec {
        ExperimentSpec(
            name: name, framework: framework,
            documents: (0..<documents).map { Document(id: "d\($0)", text: "hope and fear \($0)", metadata: ["group": $0 % 2 == 0 ? "a" : "b"]) },
            batchSize: batchSize, retry: retry, tolerateFailedBatches: tolerate, maxInFlight: maxInFlight)
    }

    package static func request(_ id: String, documents: Int = 10, batchSize: Int = 3) -> ExperimentRequest {
        request(id, spec(documents: documents, batchSize: batchSize))
    }

    package static func request(_ id: String, _ spec: ExperimentSpec) -> ExperimentRequest {
        ExperimentRequest(experimentID: id, submittedAt: Date(timeIntervalSince1970: 1_764_000_000), experiment: spec)
    }

    /// What an honest agent would answer to a task (completed, with a small deterministic result).
    package static func result(for task: TaskMessage, status: TaskStatus = .completed, worker: String = "w1") -> TaskResult<RawJSON> {
        let output: JSONValue
        switch task.payload {
        case .preTest(let spec):
            output = try! MessageCoding.decode(
                JSONValue.self,
                from: MessageCoding.encode(
                    PreTestResult(batches: BatchPlanner.plan(spec.documents, batchSize: spec.batchSize, maxBatchBytes: spec.maxBatchBytes))))
        case .analyseBatch(let batch):
            let analysis = BatchAnalysis(
                batchIndex: task.batchIndex ?? -1,
                documents: batch.documents.map { DocumentAnalysis(id: $0.id, wordCount: 1, metadata: $0.metadata, scores: [:], derived: [:]) })
            output = try! MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(analysis))
        case .corpusSynthesis(let synthesis):
            output = .object(["batches": .number(Double(synthesis.batchResults.count))])
        }
        let at = Date(timeIntervalSince1970: 1_764_000_100)
        return TaskResult(
            task: task.identity, attempt: task.attempt, run: task.run, status: status,
            result: status == .completed ? RawJSON(bytes: try! MessageCoding.encode(output)) : nil,
            error: status == .failed ? TaskFailure(code: "boom", message: "handler failed") : nil,
            workerID: worker, startedAt: at, finishedAt: at)
    }

    package static func tasks(in messages: [OutboundMessage]) -> [TaskMessage] {
        messages.filter { $0.destination == .tasks }.map { try! MessageCoding.decode(TaskMessage.self, from: $0.body) }
    }

    package static func events(in messages: [OutboundMessage]) -> [ExperimentStatus] {
        messages.filter { $0.destination == .events }.map { try! MessageCoding.decode(ExperimentStatus.self, from: $0.body) }
    }
}
