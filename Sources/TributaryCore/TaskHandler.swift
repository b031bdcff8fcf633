/// The work of one agent type. Throwing a ``TaskFailure`` reports the task as failed with
/// that code; any other error is reported with code `handler_error`.
public protocol TaskHandler: Sendable {
    var taskType: TaskType { get }
    func handle(_ task: TaskMessage) async throws -> JSONValue
}
