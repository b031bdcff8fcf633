/// A task's failure: a stable code, a human-readable message, and whether retrying can help.
public struct TaskFailure: Sendable, Hashable, Codable, Error, CustomStringConvertible {
    public var code: String
    public var message: String
    /// True when the same input will always fail (invalid input): the task is not retried.
    /// Everything else (a crash, a timeout, an unavailable model) is transient.
    public var permanent: Bool
    /// With ``rateLimitedCode``: how long the endpoint asked callers to wait (its
    /// Retry-After), when it said.
    public var retryAfterSeconds: Double?
    /// What the failed task spent on a language model before it failed (an answer invalid
    /// twice was still paid for); counted into the ledger like a result's.
    public var usage: ModelUsage?

    /// The model's endpoint refused the call for its rate limit (429 or 503). The orchestrator
    /// sends the task again without spending an attempt, and holds the model's dispatch.
    public static let rateLimitedCode = "rate_limited"

    public init(code: String, message: String, permanent: Bool = false, retryAfterSeconds: Double? = nil) {
        self.code = code
        self.message = message
        self.permanent = permanent
        self.retryAfterSeconds = retryAfterSeconds
        self.usage = nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        permanent = try container.decodeIfPresent(Bool.self, forKey: .permanent) ?? false
        retryAfterSeconds = try container.decodeIfPresent(Double.self, forKey: .retryAfterSeconds)
        usage = try container.decodeIfPresent(ModelUsage.self, forKey: .usage)
    }

    /// Whether this is the endpoint's rate limit rather than a failure of the task.
    public var isRateLimited: Bool { code == Self.rateLimitedCode && !permanent }

    public var description: String { "\(code): \(message)" }
}
