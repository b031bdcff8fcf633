import TributaryCore

/// Why a client call did not produce an answer.
public struct TributaryClientError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No outcome (or reply) within the caller's timeout.
        case timeout
        /// The experiment is rejected before it is sent (for example, too large).
        case invalidExperiment = "invalid_experiment"
        /// The event stream ended (the connection was closed).
        case disconnected
    }

    public var code: Code
    public var message: String
    /// The last status seen, if any (on a timeout: how far the experiment got).
    public var lastStatus: ExperimentStatus?

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let lastStatus {
            text += " (last seen: \(lastStatus.state.rawValue), \(lastStatus.batchesCompleted)/\(lastStatus.batchCount) batches)"
        }
        return text
    }
}
