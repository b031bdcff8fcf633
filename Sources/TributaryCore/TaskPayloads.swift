/// What an `analyse_batch` task carries: its own documents only.
public struct BatchPayload: Sendable, Hashable, Codable {
    public var framework: Framework
    public var documents: [Document]

    public init(framework: Framework, documents: [Document]) {
        self.framework = framework
        self.documents = documents
    }
}

/// What a `corpus_synthesis` task carries: the experiment's description and every batch result, in batch order.
public struct SynthesisPayload: Sendable, Hashable, Codable {
    public var experimentName: String
    public var researchQuestion: String
    public var groupBy: String?
    public var framework: Framework
    public var batchResults: [JSONValue]

    public init(experimentName: String, researchQuestion: String, groupBy: String?, framework: Framework, batchResults: [JSONValue]) {
        self.experimentName = experimentName
        self.researchQuestion = researchQuestion
        self.groupBy = groupBy
        self.framework = framework
        self.batchResults = batchResults
    }
}

/// The typed body of a task, chosen by its task type.
public enum TaskPayload: Sendable, Hashable {
    case preTest(ExperimentSpec)
    case analyseBatch(BatchPayload)
    case corpusSynthesis(SynthesisPayload)

    public var taskType: TaskType {
        switch self {
        case .preTest: .preTest
        case .analyseBatch: .analyseBatch
        case .corpusSynthesis: .corpusSynthesis
        }
    }
}
