import TributaryCore

/// Analyses the documents of one batch. Deterministic: the same batch gives the same bytes.
public struct AnalyseBatchHandler: TaskHandler {
    public let taskType = TaskType.analyseBatch

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        guard case .analyseBatch(let batch) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected an analyse_batch payload") }
        let documents: [JSONValue] = batch.documents.map { document in
            .object([
                "id": .string(document.id),
                "word_count": .number(Double(WordCounter.count(document.text))),
                "metadata": .object(document.metadata.mapValues { .string($0) }),
            ])
        }
        return .object(["batch_index": .number(Double(task.batchIndex ?? 0)), "documents": .array(documents)])
    }
}
