import AMQP
import TributaryClient
import TributaryContentStore
import TributaryCore
import TributaryStore

/// Settings of the orchestrator process.
public struct OrchestratorConfiguration: Sendable {
    public var amqp: AMQPConfiguration
    public var topology = Topology()
    /// Where all experiment state and the outbox live: a SQLite file (one orchestrator), or a
    /// `postgres://` URL (any number of orchestrators). Never logged as given: it may hold a password.
    public var database = "tributary-orchestrator.sqlite"
    /// Opens the store ``database`` names (`TributaryStores.ExperimentStores` knows them all).
    package var stores: any ExperimentStoreOpener
    /// SQLite's durability, PostgreSQL's outbox lease.
    package var storeOptions = ExperimentStoreOptions()
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
    /// Limits and prices of the models experiments name (`--models`); empty meters nothing.
    public var models = ModelTable()
    /// The external analyser's version (`--analyser-version`): its results are cached only under one.
    public var externalAnalyserVersion: String?

    package init(amqp: AMQPConfiguration, stores: any ExperimentStoreOpener) {
        self.amqp = amqp
        self.stores = stores
    }
}
