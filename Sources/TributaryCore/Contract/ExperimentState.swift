/// Where an experiment is in its life: received → pre_testing → analysing → synthesising → completed | failed.
public enum ExperimentState: String, Sendable, Hashable, Codable, CaseIterable {
    case received
    case preTesting = "pre_testing"
    case analysing
    case synthesising
    case completed
    case failed

    public var isTerminal: Bool { self == .completed || self == .failed }

    /// Position in the life cycle; `completed` and `failed` share the last place.
    public var order: Int {
        switch self {
        case .received: 0
        case .preTesting: 1
        case .analysing: 2
        case .synthesising: 3
        case .completed, .failed: 4
        }
    }
}
