/// Which task a message is about: the fields a task and its result share.
///
/// Decodable on its own, so a task whose payload can't be read can still be answered with a
/// failed result instead of leaving its experiment waiting.
public struct TaskIdentity: Sendable, Hashable, Codable {
    public var taskID: String
    public var experimentID: String
    public var taskType: TaskType
    public var batchIndex: Int?

    public init(taskID: String, experimentID: String, taskType: TaskType, batchIndex: Int? = nil) {
        self.taskID = taskID
        self.experimentID = experimentID
        self.taskType = taskType
        self.batchIndex = batchIndex
    }

    enum CodingKeys: String, CodingKey {
        case taskType, batchIndex
        case taskID = "taskId"
        case experimentID = "experimentId"
    }
}
