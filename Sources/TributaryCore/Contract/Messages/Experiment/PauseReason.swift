/// Why an experiment is `paused`.
public enum PauseReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Its `budget` was reached by counted results.
    case budget
    /// `tributary pause`.
    case `operator`
}
