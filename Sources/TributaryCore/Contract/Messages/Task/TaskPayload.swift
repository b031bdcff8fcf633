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
