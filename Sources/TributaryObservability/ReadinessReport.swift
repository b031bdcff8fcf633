/// The outcome of ``Readiness/evaluate()``, as `/readyz` serves it.
public struct ReadinessReport: Sendable, Hashable, Encodable {
    public struct Check: Sendable, Hashable, Encodable {
        public var name: String
        /// `nil` when this check passes.
        public var problem: String?
    }

    public var checks: [Check]

    public var isReady: Bool { !checks.isEmpty && checks.allSatisfy { $0.problem == nil } }

    /// The first failing check's problem, named: what an operator reads first.
    public var reason: String? {
        if checks.isEmpty { return "starting: nothing is connected yet" }
        return checks.first { $0.problem != nil }.map { "\($0.name): \($0.problem!)" }
    }

    enum CodingKeys: String, CodingKey { case status, reason, checks }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isReady ? "ready" : "not_ready", forKey: .status)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0.problem ?? "ok") }), forKey: .checks)
    }
}
