/// Where an experiment is in its life: received → pre_testing → analysing → synthesising →
/// completed | failed, or cancelled from any state before those. An analysing experiment may
/// be paused (by its budget or an operator) and resumed: paused, it sends no new tasks, counts
/// the results of those already sent, and is never synthesised.
public enum ExperimentState: String, Sendable, Hashable, Codable, CaseIterable {
    case received
    case preTesting = "pre_testing"
    case analysing
    case paused
    case synthesising
    case completed
    case failed
    case cancelled

    public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }

    /// Position in the life cycle; the terminal states share the last place.
    public var order: Int {
        switch self {
        case .received: 0
        case .preTesting: 1
        case .analysing, .paused: 2
        case .synthesising: 3
        case .completed, .failed, .cancelled: 4
        }
    }
}
