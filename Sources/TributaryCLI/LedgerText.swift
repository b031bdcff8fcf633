import Foundation
import TributaryCore

/// An experiment's model spending as the CLI's text prints it.
enum LedgerText {
    /// `gemma-3-270m: 42 requests, 4210 in + 2100 out tokens, cost 0.0012 of 5.00`; nil for an
    /// experiment that calls no metered model.
    static func describe(_ status: ExperimentStatus) -> String? {
        guard let ledger = status.ledger else { return nil }
        var text = "\(status.model ?? "model"): \(ledger.requests) requests, \(ledger.inputTokens) in + \(ledger.outputTokens) out tokens"
        text += ", cost \(cost(ledger.cost))"
        if let maxCost = status.budget?.maxCost { text += " of \(cost(maxCost))" }
        if let maxTokens = status.budget?.maxTokens { text += ", \(ledger.totalTokens) of \(maxTokens) budgeted tokens" }
        if ledger.rateLimited > 0 { text += ", \(ledger.rateLimited) rate-limited" }
        return text
    }

    /// `cache on: 95 of 100 documents from the cache (saved 9500 tokens, cost 0.0012), 5 stored`;
    /// nil for an experiment that uses no cache or is not planned yet.
    static func cache(_ status: ExperimentStatus) -> String? {
        guard let cache = status.cache else { return nil }
        var text = "cache \(cache.mode.rawValue): \(cache.documentsFromCache) of \(status.documentsPlanned) documents from the cache"
        let tokens = cache.inputTokensSaved + cache.outputTokensSaved
        if tokens > 0 || cache.costSaved > 0 { text += " (saved \(tokens) tokens, cost \(cost(cache.costSaved)))" }
        text += ", \(cache.documentsStored) stored"
        return text
    }

    /// `2.5 MiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1_024, unit < units.count - 1 {
            value /= 1_024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// `42 req, 6310 tok, 0.0012`, for a table cell.
    static func short(_ status: ExperimentStatus) -> String {
        guard let ledger = status.ledger else { return "–" }
        return "\(ledger.requests) req, \(ledger.totalTokens) tok, \(cost(ledger.cost))"
    }

    /// Four decimals below 1 (a small model's calls cost fractions of a cent), two above.
    static func cost(_ value: Double) -> String { String(format: value < 1 ? "%.4f" : "%.2f", value) }

    /// `paused (budget)`, or the state alone.
    static func state(_ status: ExperimentStatus) -> String {
        status.pauseReason.map { "\(status.state.rawValue) (\($0.rawValue))" } ?? status.state.rawValue
    }
}

extension LedgerText {
    /// An estimate as lines for people; upper bounds from the corpus alone, scaled figures
    /// after a pilot.
    static func estimate(_ estimate: CostEstimate, model: String?) -> [String] {
        let bound = estimate.basis == .corpus ? "at most " : "about "
        var lines = [
            estimate.basis == .corpus
                ? "estimate from the corpus alone (no model called): \(estimate.documents) documents, \(estimate.requests) requests"
                : "estimate from the pilot: \(estimate.documents) documents, \(estimate.requests) requests",
            "  tokens: \(bound)\(estimate.inputTokens) in + \(estimate.outputTokens) out (\(estimate.totalTokens) in all)",
        ]
        if let cost = estimate.cost {
            lines.append("  cost: \(bound)\(LedgerText.cost(cost)) at \(model ?? "the model")'s prices in the model table")
        } else {
            lines.append("  cost: unknown (the model table has no prices for \(model ?? "the model"))")
        }
        if let seconds = estimate.seconds {
            lines.append("  time: at least \(duration(seconds)) at the model's limits")
        } else if let perCall = estimate.secondsPerCall {
            lines.append("  time: \(String(format: "%.1f", perCall)) s per call; no limits in the model table to time the corpus by")
        } else {
            lines.append("  time: unknown (no limits for \(model ?? "the model") in the model table)")
        }
        return lines
    }

    /// `1h 02m`, `3m 20s` or `12 s`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole >= 3600 { return String(format: "%dh %02dm", whole / 3600, (whole % 3600) / 60) }
        if whole >= 60 { return String(format: "%dm %02ds", whole / 60, whole % 60) }
        return "\(whole) s"
    }
}
