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
    /// Which attempt of the task this reports (the task's `attempt`).
    public var attempt: Int
    /// Which run of the experiment the task was sent in (the task's `run`); written only above 1.
    public var run: Int
    public var status: TaskStatus
    /// The handler's output when completed.
    public var result: Output?
    /// Why it failed, when failed.
    public var error: TaskFailure?
    public var workerID: String
    public var startedAt: Date
    public var finishedAt: Date

    public init(
        task: TaskIdentity, attempt: Int = 1, run: Int = 1, status: TaskStatus, result: Output? = nil, error: TaskFailure? = nil,
        workerID: String, startedAt: Date, finishedAt: Date
    ) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.taskID = task.taskID
        self.experimentID = task.experimentID
        self.taskType = task.taskType
        self.batchIndex = task.batchIndex
        self.attempt = attempt
        self.run = run
        self.status = status
        self.result = result
        self.error = error
        self.workerID = workerID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Which task this result is for.
    public var identity: TaskIdentity {
        TaskIdentity(taskID: taskID, experimentID: experimentID, taskType: taskType, batchIndex: batchIndex)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, taskType, batchIndex, attempt, run, status, result, error, startedAt, finishedAt
        case taskID = "taskId"
        case experimentID = "experimentId"
        case workerID = "workerId"
    }
}

extension TaskResult: Encodable where Output: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(taskID, forKey: .taskID)
        try container.encode(experimentID, forKey: .experimentID)
        try container.encode(taskType, forKey: .taskType)
        try container.encodeIfPresent(batchIndex, forKey: .batchIndex)
        try container.encode(attempt, forKey: .attempt)
        // Absent in the first run, so a result reads as it did before runs existed.
        if run != 1 { try container.encode(run, forKey: .run) }
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(result, forKey: .result)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(workerID, forKey: .workerID)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}
extension TaskResult: Decodable where Output: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        taskID = try container.decode(String.self, forKey: .taskID)
        experimentID = try container.decode(String.self, forKey: .experimentID)
        taskType = try container.decode(TaskType.self, forKey: .taskType)
        batchIndex = try container.decodeIfPresent(Int.self, forKey: .batchIndex)
        // Agents before retries existed sent no attempt: theirs was the first.
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 1
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        status = try container.decode(TaskStatus.self, forKey: .status)
        result = try container.decodeIfPresent(Output.self, forKey: .result)
        error = try container.decodeIfPresent(TaskFailure.self, forKey: .error)
        workerID = try container.decode(String.self, forKey: .workerID)
        startedAt = try container.decode(Date.self, forKey: .startedAt)
        finishedAt = try container.decode(Date.self, forKey: .finishedAt)
    }
}
extension TaskResult: Equatable where Output: Equatable {}
extension TaskResult: Hashable where Output: Hashable {}
