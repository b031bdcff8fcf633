/// The kinds of task the orchestrator hands out; each has its own queue and agent.
public enum TaskType: String, Sendable, Hashable, Codable, CaseIterable {
    case preTest = "pre_test"
    case analyseBatch = "analyse_batch"
    case corpusSynthesis = "corpus_synthesis"

    /// The deterministic task id: the same step of the same experiment always has the same id,
    /// so a re-published task or result is recognised as a duplicate.
    public func taskID(experimentID: String, batchIndex: Int? = nil) -> String {
        if let batchIndex { return "\(experimentID).\(rawValue).\(batchIndex)" }
        return "\(experimentID).\(rawValue)"
    }
}
