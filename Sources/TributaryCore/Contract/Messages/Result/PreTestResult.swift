/// The pre-test's verdict on a valid experiment: how to batch it, and what looked odd.
public struct PreTestResult: Sendable, Hashable, Codable {
    /// Document ids per batch, in batch order.
    public var batches: [[String]]
    public var warnings: [String]

    public init(batches: [[String]], warnings: [String] = []) {
        self.batches = batches
        self.warnings = warnings
    }
}
