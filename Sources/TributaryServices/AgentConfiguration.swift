import AMQP
import Foundation
import TributaryClient

/// Settings of an agent process.
public struct AgentConfiguration: Sendable {
    public var amqp: AMQPConfiguration
    public var topology = Topology()
    /// Tasks handled at once; also the consumer prefetch, so no more are held in memory.
    public var concurrency = 4
    /// Appears in every result this agent publishes.
    public var workerID: String
    /// The queues consumed, each with `concurrency` prefetch; nil is the handler's task
    /// type's queue. An analyse agent consumes a lane per analyser kind it serves
    /// (``AnalysisLane``).
    public var queues: [String]?
    /// Completed task ids remembered to drop re-published duplicates without redoing them.
    public var recentTaskMemory = 10_000

    public init(amqp: AMQPConfiguration, workerID: String = AgentConfiguration.defaultWorkerID()) {
        self.amqp = amqp
        self.workerID = workerID
    }

    public static func defaultWorkerID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }
}
