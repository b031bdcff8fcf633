import AMQP
import CoreMetrics
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Tracing
import TributaryClient
import TributaryCore
import TributaryObservability
import TributaryStore

/// The orchestrator process: one event loop over experiment requests, task results, dead
/// letters and due timers.
///
/// Deliveries arrive in batches; each batch is applied in one store transaction (a group
/// commit) together with the outbox messages it causes, and only then acknowledged. The
/// outbox is published with confirms afterwards, so a crash at any point neither loses a
/// step nor takes one twice. It never waits for a task: it reacts to results and timers.
public struct OrchestratorService: Service {
    public let configuration: OrchestratorConfiguration
    let logger: Logger
    let orchestrator: Orchestrator
    /// Where `/readyz` learns whether the database, the broker and the consumers are up.
    let readiness: Readiness

    /// What the event loop works on, one item at a time.
    enum Work {
        case deliveries(source: String, [AMQPDelivery])
        case timers
        /// The broker refused an outbox message for good (for example, over its `max_message_size`).
        case refused(OutboundMessage, reason: String)
    }

    public init(configuration: OrchestratorConfiguration, logger: Logger, readiness: Readiness = Readiness()) {
        self.configuration = configuration
        self.logger = logger
        self.readiness = readiness
        self.orchestrator = Orchestrator(
            content: configuration.documentStore.map(ContentStoreAccess.init), inlineSynthesisLimit: configuration.inlineSynthesisLimit,
            stepTracing: StepSpans(), models: configuration.models, externalAnalyserVersion: configuration.externalAnalyserVersion)
    }

    public func run() async throws {
        guard let store = try await openStore() else { return }
        guard let connection = try await connect(closingOnFailure: store) else { return }
        let metrics = OrchestratorMetrics()
        let fanIn = FanInTracker(timer: metrics.fanIn, logger: logger)
        let feed = WorkQueue()
        let publisher = OutboxPublisher(
            connection: connection, store: store, topology: configuration.topology, logger: logger, window: configuration.publishWindow,
            pendingGauge: metrics.outboxPending,
            onConfirmed: { message in
                if message.destination == .tasks, let type = TaskType(rawValue: message.type) { metrics.tasksPublished[type]?.increment() }
                fanIn.confirmed(message)
            },
            onRefused: { message, error in feed.yield(.refused(message, reason: error.message.isEmpty ? "\(error)" : error.message)) })
        let loop = EventLoop(
            service: self, store: store, connection: connection, publisher: publisher,
            observer: DispositionObserver(metrics: metrics, fanIn: fanIn, store: store, logger: logger), feed: feed)
        let outbox = OutboxAdoption(store: store, publisher: publisher, lease: configuration.storeOptions.outboxLease, logger: logger)
        await loop.observer.refreshExperimentCounts()
        await outbox.adopt()
        try await loop.run(keeping: outbox)
        logger.info("orchestrator stopping: flushing outbox")
        await publisher.waitUntilIdle()
        await connection.close()
        await store.close()
        readiness.mark("database", notReady: "closed")
    }

    /// Nil when shutdown came first.
    private func openStore() async throws -> (any ExperimentStore)? {
        do {
            let store = try await DatabaseWait.open(configuration, logger: logger, readiness: readiness)
            readiness.mark("database", notReady: nil)
            readiness.mark("consumers", notReady: "not started")
            return store
        } catch is CancellationError {
            logger.info("orchestrator stopping before the database was reachable")
            return nil
        }
    }

    /// The broker connection with the topology declared; nil when shutdown came first. The
    /// store is closed if there will be no connection.
    private func connect(closingOnFailure store: any ExperimentStore) async throws -> AMQPConnection? {
        do {
            let connection = try await BrokerWait.connect(configuration.amqp, logger: logger, readiness: readiness)
            ConnectionHealth.register(connection, in: readiness)
            try await configuration.topology.declare(on: connection)
            return connection
        } catch {
            await store.close()
            readiness.mark("database", notReady: "closed")
            guard error is CancellationError else { throw error }
            logger.info("orchestrator stopping before the broker was reachable")
            return nil
        }
    }
}
