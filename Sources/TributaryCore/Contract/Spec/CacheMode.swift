/// Whether an experiment's document analyses are taken from, and written to, the
/// orchestrator's result cache.
public enum CacheMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Documents with a cached result are not sent; fresh results are cached.
    case on
    /// Nothing is read from or written to the cache.
    case off
    /// Every document is analysed again and its cached result replaced.
    case refresh

    /// The mode when an experiment names none: on for a language model, whose calls are
    /// paid; off for the phrase matcher, which is cheaper to run than to look up, and for an
    /// external program, whose version only the deployment knows.
    public static func `default`(for kind: AnalyserSettings.Kind) -> CacheMode { kind == .llm ? .on : .off }

    /// Whether results are looked up before planning.
    public var reads: Bool { self == .on }
    /// Whether counted results are written.
    public var writes: Bool { self != .off }
}
