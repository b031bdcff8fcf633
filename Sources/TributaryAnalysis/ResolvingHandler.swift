import TributaryCore

/// Hands an external analyser its task with everything in it: a program written against the
/// contract gets texts, documents and batch results, never content-store addresses it would
/// have to resolve itself.
public struct ResolvingHandler<Wrapped: TaskHandler>: TaskHandler {
    public let wrapped: Wrapped
    public let content: ContentResolver
    public var taskType: TaskType { wrapped.taskType }

    public init(_ wrapped: Wrapped, content: ContentResolver) {
        self.wrapped = wrapped
        self.content = content
    }

    public func handle(_ task: TaskMessage) async throws -> Wrapped.Output {
        try await wrapped.handle(try resolved(task))
    }

    func resolved(_ task: TaskMessage) throws(TaskFailure) -> TaskMessage {
        var task = task
        switch task.payload {
        case .preTest(var spec) where spec.corpusRef != nil:
            spec.documents = try content.texts(of: content.documents(of: spec))
            spec.corpusRef = nil
            task.payload = .preTest(spec)
        case .analyseBatch(var batch) where batch.documents.contains(where: { $0.textRef != nil }):
            batch.documents = try content.texts(of: batch.documents).map { Document(id: $0.id, text: $0.text, metadata: $0.metadata) }
            task.payload = .analyseBatch(batch)
        case .corpusSynthesis(var synthesis) where synthesis.batchResultsRef != nil:
            synthesis.batchResults = try content.batchResults(of: synthesis)
            synthesis.batchResultsRef = nil
            task.payload = .corpusSynthesis(synthesis)
        default:
            break
        }
        return task
    }
}
