import TributaryCore

/// Combines every batch's results into corpus-level figures.
public struct CorpusSynthesisHandler: TaskHandler {
    public let taskType = TaskType.corpusSynthesis

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        guard case .corpusSynthesis(let synthesis) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected a corpus_synthesis payload") }
        var documents = 0
        var words = 0.0
        var batchIndices: [JSONValue] = []
        for batch in synthesis.batchResults {
            guard case .array(let entries)? = batch["documents"] else {
                throw TaskFailure(code: "bad_batch_result", message: "a batch result has no documents array")
            }
            if let index = batch["batch_index"] { batchIndices.append(index) }
            for entry in entries {
                documents += 1
                if case .number(let count)? = entry["word_count"] { words += count }
            }
        }
        return .object([
            "experiment": .string(synthesis.experimentName),
            "batch_count": .number(Double(synthesis.batchResults.count)),
            "batches_included": .array(batchIndices),
            "document_count": .number(Double(documents)),
            "total_words": .number(words),
            "mean_words_per_document": .number(documents > 0 ? words / Double(documents) : 0),
        ])
    }
}
