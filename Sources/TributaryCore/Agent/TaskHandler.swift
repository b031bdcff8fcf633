/// The work of one agent type.
///
/// The agent runtime encodes the returned output once, into the result envelope. Throwing a
/// ``TaskFailure`` reports the task as failed with that code; any other error is reported
/// with code `handler_error`.
public protocol TaskHandler: Sendable {
    associatedtype Output: Encodable & Sendable
    var taskType: TaskType { get }
    func handle(_ task: TaskMessage) async throws -> Output
}
