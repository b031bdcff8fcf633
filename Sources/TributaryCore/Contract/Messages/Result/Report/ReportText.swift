import Foundation

/// How the report's renderings (report.md, report.html) write its numbers and facts, so both
/// say the same.
public enum ReportText {
    /// A number to `digits` decimals; a dash for none, or for one that is not finite.
    public static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }
}

extension ReportProvenance {
    /// Which model, with what settings, and what it took: a line each.
    public var summary: [String] {
        [
            "model: \(models.joined(separator: ", "))",
            "system fingerprint: \(systemFingerprints.isEmpty ? "none sent" : systemFingerprints.joined(separator: ", "))",
            "temperature: \(temperature.map { ReportText.number($0) } ?? "varied"); seed: \(seed.map(String.init) ?? "none or varied")",
            "\(documentsScored) documents, \(calls) calls (\(repairs) repairs), \(inputTokens) input and \(outputTokens) output tokens",
            "evidence quotes not found in their document, dropped: \(unverifiedEvidence)",
        ]
    }
}
