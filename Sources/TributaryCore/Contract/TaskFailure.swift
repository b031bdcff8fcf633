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
