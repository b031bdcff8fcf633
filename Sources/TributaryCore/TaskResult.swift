import Foundation

/// What an agent reports for a task, completed or failed.
public struct TaskResult: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case completed
        case failed
    }

    public var schemaVersion: Int
    public var taskID: String
    public var experimentID: String
    public var taskType: TaskType
    public var batchIndex: Int?
    public var status: Status
    /// The handler's output when completed.
    public var result: JSONValue?
    /// Why it failed, when failed.
    public var error: TaskFailure?
    public var workerID: String
    public var startedAt: Date
    public var finishedAt: Date

    public init(
        task: TaskMessage, status: Status, result: JSONValue? = nil, error: TaskFailure? = nil,
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

    enum CodingKeys: String, CodingKey {
        case schemaVersion, taskType, batchIndex, status, result, error, startedAt, finishedAt
        case taskID = "taskId"
        case experimentID = "experimentId"
        case workerID = "workerId"
    }
}

/// A task's failure: a stable code and a human-readable message.
public struct TaskFailure: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
