import Foundation

/// What an agent reports for a task, completed or failed.
///
/// `Output` is the handler's typed output where the result is produced, so an agent encodes
/// it once, straight into this envelope; a consumer that carries results without
/// interpreting them decodes `TaskResult<JSONValue>`. Both give the same bytes.
public struct TaskResult<Output: Sendable>: Sendable {
    public var schemaVersion: Int
    public var taskID: String
    public var experimentID: String
    public var taskType: TaskType
    public var batchIndex: Int?
    public var status: TaskStatus
    /// The handler's output when completed.
    public var result: Output?
    /// Why it failed, when failed.
    public var error: TaskFailure?
    public var workerID: String
    public var startedAt: Date
    public var finishedAt: Date

    public init(
        task: TaskIdentity, status: TaskStatus, result: Output? = nil, error: TaskFailure? = nil,
        workerID: String, startedAt: Date, finishedAt: Date
    ) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.taskID = task.taskID
        self.experimentID = task.experimentID
        self.taskType = task.taskType
        self.batchIndex = task.batchIndex
        self.status = status
        self.result = result
        self.error = error
        self.workerID = workerID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The same result with its output in another representation (for tests and tools).
    public func map<Other: Sendable>(_ transform: (Output) throws -> Other) rethrows -> TaskResult<Other> {
        var other = TaskResult<Other>(
            task: identity, status: status, result: try result.map(transform), error: error,
            workerID: workerID, startedAt: startedAt, finishedAt: finishedAt)
        other.schemaVersion = schemaVersion
        other.taskID = taskID
        return other
    }

    /// Which task this result is for.
    public var identity: TaskIdentity {
        TaskIdentity(taskID: taskID, experimentID: experimentID, taskType: taskType, batchIndex: batchIndex)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, taskType, batchIndex, status, result, error, startedAt, finishedAt
        case taskID = "taskId"
        case experimentID = "experimentId"
        case workerID = "workerId"
    }
}

extension TaskResult: Encodable where Output: Encodable {}
extension TaskResult: Decodable where Output: Decodable {}
extension TaskResult: Equatable where Output: Equatable {}
extension TaskResult: Hashable where Output: Hashable {}
