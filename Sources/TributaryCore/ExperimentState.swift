/// Where an experiment is in its life: received → pre_testing → analysing → synthesising → completed | failed.
public enum ExperimentState: String, Sendable, Hashable, Codable, CaseIterable {
    case received
    case preTesting = "pre_testing"
    case analysing
    case synthesising
    case completed
    case failed

    public var isTerminal: Bool { self == .completed || self == .failed }
}
