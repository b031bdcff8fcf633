import Foundation
import TributaryCore

/// How a failed call to the model's endpoint is classified, which decides what the
/// orchestrator does with the task.
public enum EndpointFailure {
    /// The task failure for an HTTP answer other than 200.
    ///
    /// - 429 and 503 are the provider's rate limit: `rate_limited`, with the Retry-After it
    ///   gave; the orchestrator sends the task again without spending an attempt. A 429 whose
    ///   body says `insufficient_quota` is the account's quota, not a rate: permanent
    ///   (`llm_quota_exhausted`), since no wait brings the money back.
    /// - 400, 401, 403, 404 and 422 do not get better by retrying (a wrong key, model or
    ///   request): permanent, with the endpoint's own message.
    /// - Anything else (500, 502, 504, …) is transient and retried with backoff.
    public static func forStatus(_ status: Int, body: [UInt8], retryAfter: String?, now: Date = Date()) -> TaskFailure {
        let message = ChatCompletionErrorBody.message(in: body)
        switch status {
        case 429 where ChatCompletionErrorBody.isQuotaExhausted(body):
            return TaskFailure(code: "llm_quota_exhausted", message: "the endpoint answered 429: \(message)", permanent: true)
        case 429, 503:
            var failure = TaskFailure(code: TaskFailure.rateLimitedCode, message: "the endpoint answered \(status): \(message)")
            failure.retryAfterSeconds = retryAfter.flatMap { parseRetryAfter($0, now: now) }
            return failure
        case 400, 401, 403, 404, 422:
            return TaskFailure(code: "llm_rejected", message: "the endpoint answered \(status): \(message)", permanent: true)
        default:
            return TaskFailure(code: "llm_unavailable", message: "the endpoint answered \(status): \(message)")
        }
    }

    /// `Retry-After` as seconds from now: either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    /// Fractions are accepted (some providers send them); nonsense is ignored.
    public static func parseRetryAfter(_ value: String, now: Date) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) { return seconds.isFinite && seconds >= 0 ? min(seconds, 3_600) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), 3_600)
    }
}
