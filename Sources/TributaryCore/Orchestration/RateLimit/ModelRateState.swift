import Foundation

/// The request and token buckets of one model, shared by every experiment that uses it.
///
/// Each bucket holds up to the per-minute figure and refills continuously at that figure per
/// minute, as providers meter. A dispatch takes one request and its estimated tokens; the
/// estimate is corrected once the result reports the tokens really used, so a bucket may go
/// below zero (a debt later dispatches wait out). A 429's Retry-After holds the model's
/// dispatch whatever the buckets say.
///
/// The state is a plain value so that it can live in the orchestrator's store: with several
/// orchestrators on one database, each one reads, updates and writes it in the transaction
/// that dispatches, and so they share one budget.
public struct ModelRateState: Sendable, Hashable, Codable {
    public var requests: Double
    public var tokens: Double
    public var updatedAt: Date
    /// No dispatch before this instant (the endpoint's Retry-After).
    public var heldUntil: Date?

    /// Buckets as a fresh minute starts them: full. `headroom` (0…1] scales capacity and
    /// rate, a margin for dispatches that reach the provider in a different order or spacing
    /// than they were admitted in.
    public init(limits: ModelLimits, now: Date, headroom: Double = ModelRateState.defaultHeadroom) {
        requests = (limits.requestsPerMinute ?? 0) * headroom
        tokens = (limits.tokensPerMinute ?? 0) * headroom
        updatedAt = now
        heldUntil = nil
    }

    public static let defaultHeadroom = 0.95

    /// Why a dispatch must wait.
    public enum Constraint: String, Sendable, Hashable, Codable {
        case requests, tokens
        case retryAfter = "retry_after"
    }

    public enum Admission: Sendable, Hashable {
        case admitted
        /// Not before `until`, because of `constraint`.
        case wait(until: Date, constraint: Constraint)
    }

    /// Takes `calls` requests and `estimatedTokens` if both buckets have them now; otherwise
    /// says when they will, and takes nothing. (A batch makes one call per document.)
    public mutating func admit(calls: Int = 1, estimatedTokens: Int, limits: ModelLimits, now: Date, headroom: Double = ModelRateState.defaultHeadroom)
        -> Admission
    {
        if let heldUntil, heldUntil > now { return .wait(until: heldUntil, constraint: .retryAfter) }
        heldUntil = nil
        refill(limits: limits, now: now, headroom: headroom)
        var latest: (at: Date, constraint: Constraint)?
        func need(_ level: Double, _ amount: Double, perMinute: Double?, _ constraint: Constraint) {
            guard let perMinute else { return }
            let capacity = perMinute * headroom
            // A call larger than the whole bucket can still go once the bucket is full; it
            // leaves a debt behind instead of waiting forever.
            let wanted = min(amount, capacity)
            guard level < wanted else { return }
            let at = now.addingTimeInterval((wanted - level) / (capacity / 60))
            if latest == nil || at > latest!.at { latest = (at, constraint) }
        }
        need(requests, Double(calls), perMinute: limits.requestsPerMinute, .requests)
        need(tokens, Double(estimatedTokens), perMinute: limits.tokensPerMinute, .tokens)
        if let latest { return .wait(until: latest.at, constraint: latest.constraint) }
        if limits.requestsPerMinute != nil { requests -= Double(calls) }
        if limits.tokensPerMinute != nil { tokens -= Double(estimatedTokens) }
        return .admitted
    }

    /// A result reported the tokens a call really used: the difference from its estimate is
    /// taken from (or given back to) the token bucket. Calls beyond those admitted (repair
    /// requests) take a request each.
    public mutating func correct(
        estimatedTokens: Int, actualTokens: Int, extraCalls: Int = 0, limits: ModelLimits, now: Date, headroom: Double = ModelRateState.defaultHeadroom
    ) {
        refill(limits: limits, now: now, headroom: headroom)
        if limits.tokensPerMinute != nil { tokens -= Double(actualTokens - estimatedTokens) }
        if limits.requestsPerMinute != nil { requests -= Double(extraCalls) }
    }

    /// The endpoint said to wait (a 429 or 503 with Retry-After): nothing goes out for this
    /// model before `until`. A later hold never shortens an earlier one.
    public mutating func hold(until: Date) {
        if heldUntil.map({ until > $0 }) ?? true { heldUntil = until }
    }

    /// A dispatch was admitted but never sent (the experiment was cancelled first): what it
    /// took goes back.
    public mutating func giveBack(calls: Int = 1, estimatedTokens: Int, limits: ModelLimits, now: Date, headroom: Double = ModelRateState.defaultHeadroom) {
        refill(limits: limits, now: now, headroom: headroom)
        if let perMinute = limits.requestsPerMinute { requests = min(requests + Double(calls), perMinute * headroom) }
        if let perMinute = limits.tokensPerMinute { tokens = min(tokens + Double(estimatedTokens), perMinute * headroom) }
    }

    private mutating func refill(limits: ModelLimits, now: Date, headroom: Double) {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        if let perMinute = limits.requestsPerMinute {
            requests = min(perMinute * headroom, requests + elapsed * perMinute * headroom / 60)
        }
        if let perMinute = limits.tokensPerMinute {
            tokens = min(perMinute * headroom, tokens + elapsed * perMinute * headroom / 60)
        }
        if now > updatedAt { updatedAt = now }
    }
}
