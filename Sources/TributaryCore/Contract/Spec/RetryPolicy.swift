/// How a failed task is tried again: at most `maxAttempts` attempts in all (1 = never
/// retried), waiting `initialBackoff` before the second and doubling up to `maxBackoff`,
/// each wait with jitter.
public struct RetryPolicy: Sendable, Hashable, Codable {
    public var maxAttempts: Int
    public var initialBackoff: TaskDuration
    public var maxBackoff: TaskDuration

    public init(maxAttempts: Int = 3, initialBackoff: TaskDuration = .seconds(2), maxBackoff: TaskDuration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    public init(from decoder: any Decoder) throws {
        let defaults = RetryPolicy()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
        initialBackoff = try container.decodeIfPresent(TaskDuration.self, forKey: .initialBackoff) ?? defaults.initialBackoff
        maxBackoff = try container.decodeIfPresent(TaskDuration.self, forKey: .maxBackoff) ?? defaults.maxBackoff
    }

    /// The wait before attempt `attempt + 1`, after attempt `attempt` failed: the doubled
    /// backoff, capped, then scaled by `jitter` in [0.5, 1) so that many failures at once
    /// (an outage) are not retried in lockstep.
    public func backoff(after attempt: Int, jitter: Double) -> TaskDuration {
        let doublings = min(max(attempt - 1, 0), 40)
        let uncapped = Double(initialBackoff.milliseconds) * Double(1 << doublings)
        let capped = min(uncapped, Double(maxBackoff.milliseconds))
        return TaskDuration(milliseconds: Int64(capped * (0.5 + 0.5 * min(max(jitter, 0), 0.999_999))))
    }
}
