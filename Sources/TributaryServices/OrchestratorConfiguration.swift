import AMQP
import TributaryClient
import TributaryContentStore
import TributaryCore
import TributaryStore

/// Settings of the orchestrator process.
public struct OrchestratorConfiguration: Sendable {
    public var amqp: AMQPConfiguration
    public var topology = Topology()
    /// The SQLite database holding all experiment state and the outbox.
    public var databasePath = "tributary-orchestrator.sqlite"
    public var durability: SQLiteExperimentStore.Durability = .full
    /// Prefetch of the request and result consumers; also the largest group commit.
    public var prefetch: UInt16 = 256
    /// Unconfirmed outbox publishes in flight.
    public var publishWindow = 1_000
    /// The longest a due timer (a retry, a task deadline) waits before it fires.
    public var timerResolution: Duration = .milliseconds(250)
    /// Where corpus manifests are read and large synthesis inputs written; none by default.
    public var documentStore: ContentStore?
    /// Batch results above this many bytes go to the document store instead of the synthesis task.
    public var inlineSynthesisLimit = Orchestrator.defaultInlineSynthesisLimit

    public init(amqp: AMQPConfiguration) {
        self.amqp = amqp
    }
}
