/// A resilience setting of an experiment that is out of range: its wire field, and why.
public struct PolicyProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field as the wire and YAML spell it: `retry.max_attempts`, `task_timeout`, …
    public var field: String
    public var message: String

    public var description: String { "\(field) \(message)" }
}
