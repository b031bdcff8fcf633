/// A task's failure: a stable code, a human-readable message, and whether retrying can help.
public struct TaskFailure: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public var code: String
    public var message: String
    /// True when the same input will always fail (invalid input): the task is not retried.
    /// Everything else (a crash, a timeout, an unavailable model) is transient.
    public var permanent: Bool

    public init(code: String, message: String, permanent: Bool = false) {
        self.code = code
        self.message = message
        self.permanent = permanent
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        permanent = try container.decodeIfPresent(Bool.self, forKey: .permanent) ?? false
    }

    public var description: String { "\(code): \(message)" }
}
