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
            content: configuration.documentStore.map(ContentStoreAccess.init), inlineSynthesisLimit: configuration.inlineSynthesisLimit)
    }

    public func run() async throws {
        let topology = configuration.topology
        let store: any ExperimentStore
        do {
            store = try await DatabaseWait.open(configuration, logger: logger, readiness: readiness)
        } catch is CancellationError {
            logger.info("orchestrator stopping before the database was reachable")
            return
        }
        readiness.mark("database", notReady: nil)
        readiness.mark("consumers", notReady: "not started")
        let connection: AMQPConnection
        do {
            connection = try await BrokerWait.connect(configuration.amqp, logger: logger, readiness: readiness)
            ConnectionHealth.register(connection, in: readiness)
            try await topology.declare(on: connection)
        } catch {
            await store.close()
            readiness.mark("database", notReady: "closed")
            if error is CancellationError {
                logger.info("orchestrator stopping before the broker was reachable")
                return
            }
            throw error
        }
        let metrics = OrchestratorMetrics()
        let fanIn = FanInTracker(timer: metrics.fanIn, logger: logger)
        let feed = WorkQueue()
        let publisher = OutboxPublisher(
            connection: connection, store: store, topology: topology, logger: logger, window: configuration.publishWindow,
            pendingGauge: metrics.outboxPending,
            onConfirmed: { message in
                if message.destination == .tasks, let type = TaskType(rawValue: message.type) { metrics.tasksPublished[type]?.increment() }
                fanIn.confirmed(message)
            },
            onRefused: { message, error in feed.yield(.refused(message, reason: error.message.isEmpty ? "\(error)" : error.message)) })
        let observer = DispositionObserver(metrics: metrics, fanIn: fanIn, store: store, logger: logger)
        await observer.refreshExperimentCounts()
        await adoptOutbox(store: store, publisher: publisher)

        let requests = try await connection.consume(queue: topology.requestsQueue, prefetch: configuration.prefetch)
        let results = try await connection.consume(queue: topology.resultsQueue, prefetch: configuration.prefetch)
        let deadLetters = try await connection.consume(queue: topology.orchestratorDeadLetterQueue, prefetch: 64)
        let statusQueries = try await connection.consume(queue: topology.statusQueue, prefetch: 32)
        readiness.mark("consumers", notReady: nil)
        logger.info(
            "orchestrator ready",
            metadata: .tributary([.database: "\(store.location)", .namespace: "\(topology.namespace)"]))

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    // However the consumers end (shutdown, or an error), the event loop ends too.
                    defer { feed.finish() }
                    try await withThrowingDiscardingTaskGroup { feeders in
                        for consumer in [requests, results, deadLetters] {
                            feeders.addTask {
                                for try await batch in consumer.batches { feed.yield(.deliveries(source: consumer.queue, batch)) }
                            }
                        }
                    }
                }
                group.addTask {
                    for try await query in statusQueries {
                        await answer(query, store: store, connection: connection)
                    }
                }
                group.addTask { await tickTimers(store: store, feed: feed) }
                group.addTask { await keepOutbox(store: store, publisher: publisher) }
                group.addTask { await ConnectionHealth.countReconnects(of: connection) }
                // The single event loop: one item at a time, so the store sees one writer.
                while let item = await feed.next() {
                    switch item {
                    case .deliveries(let source, let deliveries):
                        await process(deliveries, from: source, store: store, publisher: publisher, connection: connection, observer: observer)
                    case .timers:
                        await fireTimers(store: store, publisher: publisher, observer: observer)
                    case .refused(let message, let reason):
                        await refused(message, reason: reason, store: store, publisher: publisher, observer: observer)
                    }
                }
                // The consumers have ended (shutdown): stop the timer and status tasks too.
                group.cancelAll()
            }
        } onGracefulShutdown: {
            readiness.mark("consumers", notReady: "shutting down")
            Task {
                for consumer in [requests, results, deadLetters, statusQueries] { try? await consumer.cancel() }
            }
        }
        logger.info("orchestrator stopping: flushing outbox")
        await publisher.waitUntilIdle()
        await connection.close()
        await store.close()
        readiness.mark("database", notReady: "closed")
    }

    // MARK: Outbox

    /// Publishes what nobody else will: at start, what this store's previous orchestrator left
    /// unconfirmed; on a shared store, also what any orchestrator that died left.
    private func adoptOutbox(store: any ExperimentStore, publisher: OutboxPublisher) async {
        do {
            while true {
                let adopted = try await store.claimOutbox(limit: 10_000)
                guard !adopted.isEmpty else { return }
                logger.info("re-publishing unconfirmed outbox entries", metadata: .tributary([.count: "\(adopted.count)"]))
                await publisher.enqueue(adopted)
            }
        } catch {
            logger.warning("could not adopt outbox entries; trying again later", metadata: .tributary([.error: "\(error)"]))
        }
    }

    /// Renews this orchestrator's lease on its own outbox rows and adopts those whose owner
    /// stopped renewing, three times per lease. A no-op on SQLite after the start.
    private func keepOutbox(store: any ExperimentStore, publisher: OutboxPublisher) async {
        let interval = configuration.storeOptions.outboxLease / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            do {
                try await store.heartbeat()
            } catch {
                logger.warning("could not renew the outbox lease", metadata: .tributary([.error: "\(error)"]))
                continue
            }
            await adoptOutbox(store: store, publisher: publisher)
        }
    }

    // MARK: Timers

    /// Asks the event loop to fire timers whenever one is due. Timers live in the store, so
    /// after a restart they fire as if nothing happened; this task only decides when to look.
    private func tickTimers(store: any ExperimentStore, feed: WorkQueue) async {
        let resolution = configuration.timerResolution
        while !Task.isCancelled {
            let next = (try? await store.nextTimerDue()) ?? nil
            if let next, next <= Date() {
                // Yielding only what is due keeps an idle orchestrator from writing. One tick
                // fires up to a batch of timers; the next look comes a resolution later, so
                // ticks never pile up behind a busy event loop.
                guard feed.yield(.timers) else { return }
                try? await Task.sleep(for: resolution)
                continue
            }
            let wait = next.map { Duration.milliseconds(Int64($0.timeIntervalSinceNow * 1_000)) } ?? resolution
            try? await Task.sleep(for: min(max(wait, .milliseconds(1)), resolution))
        }
    }

    private func fireTimers(store: any ExperimentStore, publisher: OutboxPublisher, observer: DispositionObserver) async {
        let orchestrator = orchestrator
        do {
            let arrival = DispositionObserver.Arrival.now
            let (dispositions, enqueued) = try await store.transaction(locking: []) { transaction in
                try orchestrator.fireTimers(at: Date(), in: transaction)
            }
            observer.beginFanIns(dispositions, arrival: arrival)
            await publisher.enqueue(enqueued)
            await observer.observe(dispositions, inputs: nil, arrival: arrival)
        } catch {
            logger.error("firing timers failed; retrying at the next tick", metadata: .tributary([.error: "\(error)"]))
        }
    }

    /// A task the broker will never accept fails its attempt for good, so the experiment fails
    /// with the broker's reason (or goes on without the batch, if its failures are tolerated)
    /// instead of waiting for a result that can't come.
    private func refused(
        _ message: OutboundMessage, reason: String, store: any ExperimentStore, publisher: OutboxPublisher, observer: DispositionObserver
    ) async {
        guard message.destination == .tasks, let type = TaskType(rawValue: message.type) else { return }
        let batchIndex = message.headers["batch_index"]
        let input = Orchestrator.Input.deadLetteredTask(
            TaskIdentity(
                taskID: type.taskID(experimentID: message.correlationID, batchIndex: batchIndex), experimentID: message.correlationID,
                taskType: type, batchIndex: batchIndex),
            attempt: message.headers["attempt"] ?? 1,
            reason: "refused by the broker: \(reason) (message of \(message.body.count) bytes)", permanent: true)
        do {
            let arrival = DispositionObserver.Arrival.now
            let dispositions = try await apply([input], arrival: arrival, observer: observer, store: store, publisher: publisher)
            await observer.observe(dispositions, inputs: [input], arrival: arrival)
        } catch {
            logger.error("could not record a refused task", metadata: .tributary([.messageID: "\(message.messageID)", .error: "\(error)"]))
        }
    }

    // MARK: Messages

    private func decode(_ delivery: AMQPDelivery, from source: String) throws(ContractError) -> Orchestrator.Input? {
        let topology = configuration.topology
        switch source {
        case topology.requestsQueue:
            switch delivery.properties.type.flatMap(MessageType.init(rawValue:)) {
            case .experimentCancel: return .cancel(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            case .experimentRetry: return .retry(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            default:
                let headers = delivery.properties.headers
                return .request(
                    try MessageCoding.decode(ExperimentRequest.self, from: delivery.body),
                    traceContext: TracePropagation.headers(for: TracePropagation.context(from: headers), incoming: headers))
            }
        case topology.orchestratorDeadLetterQueue:
            let headers = delivery.properties.headers ?? [:]
            if headers["x-tributary-rejection-reason"] == nil {
                // Dead-lettered by the broker itself (delivery limit, expiry): no service counted it.
                let queue = headers["x-first-death-queue"]?.stringValue ?? "unknown"
                let reason = headers["x-first-death-reason"]?.stringValue ?? "broker"
                Counter(label: MetricName.deadLetters, dimensions: [("queue", queue), ("reason", reason)]).increment()
            }
            return Self.deadLetteredTask(delivery)
        default:
            return .result(try MessageCoding.decodeResult(from: delivery.body))
        }
    }

    /// A dead-lettered task, read from its properties and headers (its body may be what made
    /// it undeliverable). Anything else in the dead-letter exchange is not the orchestrator's.
    static func deadLetteredTask(_ delivery: AMQPDelivery) -> Orchestrator.Input? {
        let properties = delivery.properties
        guard let type = properties.type.flatMap(TaskType.init(rawValue:)), let experimentID = properties.correlationID,
            (try? Identifier.validateExperimentID(experimentID)) != nil
        else { return nil }
        let headers = properties.headers ?? [:]
        let batchIndex = headers["batch_index"]?.intValue
        let attempt = headers["attempt"]?.intValue ?? 1
        let task = TaskIdentity(
            taskID: type.taskID(experimentID: experimentID, batchIndex: batchIndex), experimentID: experimentID, taskType: type, batchIndex: batchIndex)
        if let refusal = headers["x-tributary-rejection-reason"]?.stringValue {
            // An agent could not read it: the same message will never be readable.
            return .deadLetteredTask(task, attempt: attempt, reason: "refused by an agent: \(refusal)", permanent: true)
        }
        let deliveries = headers["x-delivery-count"]?.intValue.map { " after \($0) deliveries" } ?? ""
        return .deadLetteredTask(
            task, attempt: attempt, reason: "dead-lettered by the broker\(deliveries): its workers kept failing to finish it (crash, kill, lost connection)",
            permanent: false)
    }

    private func process(
        _ deliveries: [AMQPDelivery], from source: String, store: any ExperimentStore,
        publisher: OutboxPublisher, connection: AMQPConnection, observer: DispositionObserver
    ) async {
        let arrival = DispositionObserver.Arrival.now
        var accepted: [(delivery: AMQPDelivery, input: Orchestrator.Input)] = []
        for delivery in deliveries {
            do {
                guard let input = try decode(delivery, from: source) else {
                    try? delivery.ack()
                    continue
                }
                accepted.append((delivery, input))
            } catch {
                logger.error(
                    "dead-lettering invalid message",
                    metadata: .tributary([.queue: "\(source)", .messageID: "\(delivery.properties.messageID ?? "-")", .reason: "\(error)"]))
                await connection.deadLetter(delivery, for: error, topology: configuration.topology, source: source)
            }
        }
        guard !accepted.isEmpty else { return }
        do {
            let inputs = accepted.map(\.input)
            let dispositions = try await apply(inputs, arrival: arrival, observer: observer, store: store, publisher: publisher)
            await observer.observe(dispositions, inputs: inputs, arrival: arrival)
            for (item, disposition) in zip(accepted, dispositions) {
                try? item.delivery.ack()
                await reply(to: item.delivery, for: disposition, store: store, connection: connection)
            }
        } catch {
            // One bad message must not hold up the rest of its batch: apply them one by one.
            logger.warning("group commit failed; applying the batch one message at a time", metadata: .tributary([.error: "\(error)"]))
            for (position, item) in accepted.enumerated() {
                do {
                    let dispositions = try await apply([item.input], arrival: arrival, observer: observer, store: store, publisher: publisher)
                    await observer.observe(dispositions, inputs: [item.input], arrival: arrival)
                    try? item.delivery.ack()
                    await reply(to: item.delivery, for: dispositions[0], store: store, connection: connection)
                } catch where store.isStoreFailure(error) {
                    // The store itself is failing (disk full, I/O): no message is to blame. Requeue
                    // this one and the rest, and back off once before taking more.
                    logger.error("store failure; batch requeued", metadata: .tributary([.error: "\(error)", .count: "\(accepted.count - position)"]))
                    for rest in accepted[position...] { try? rest.delivery.nack(requeue: true) }
                    try? await Task.sleep(for: .seconds(1))
                    return
                } catch {
                    logger.error(
                        "dead-lettering message the orchestrator cannot apply",
                        metadata: .tributary([.queue: "\(source)", .messageID: "\(item.delivery.properties.messageID ?? "-")", .reason: "\(error)"]))
                    await connection.deadLetter(item.delivery, for: error, topology: configuration.topology, source: source)
                }
            }
        }
    }

    private func apply(
        _ inputs: [Orchestrator.Input], arrival: DispositionObserver.Arrival, observer: DispositionObserver, store: any ExperimentStore,
        publisher: OutboxPublisher
    ) async throws -> [Orchestrator.Disposition] {
        let orchestrator = orchestrator
        let now = Date()
        let (dispositions, enqueued) = try await store.transaction(locking: inputs.map(\.experimentID)) { transaction in
            try orchestrator.handle(inputs, at: now, in: transaction)
        }
        observer.beginFanIns(dispositions, arrival: arrival)
        await publisher.enqueue(enqueued)
        return dispositions
    }

    // MARK: Replies

    /// Cancel and retry requests are answered, once committed, with the experiment's state.
    private func reply(to delivery: AMQPDelivery, for disposition: Orchestrator.Disposition, store: any ExperimentStore, connection: AMQPConnection) async {
        guard let replyTo = delivery.properties.replyTo,
            let type = delivery.properties.type.flatMap(MessageType.init(rawValue:)), type == .experimentCancel || type == .experimentRetry
        else { return }
        await send(
            StatusReply(experimentID: disposition.experimentID, status: try? await currentStatus(disposition.experimentID, store: store)),
            to: replyTo, correlationID: delivery.properties.correlationID ?? disposition.experimentID, connection: connection)
    }

    private func currentStatus(_ id: String, store: any ExperimentStore) async throws -> ExperimentStatus? {
        try await store.experiment(id: id).map { record in
            ExperimentStatus(record: record, report: try record.report.map { try MessageCoding.decode(JSONValue.self, from: $0) }, at: Date())
        }
    }

    private func send(_ reply: StatusReply, to queue: String, correlationID: String, connection: AMQPConnection) async {
        do {
            try await connection.publish(
                try MessageCoding.encode(reply), routingKey: queue,
                properties: .contract(messageID: UUID().uuidString, correlationID: correlationID, type: MessageType.statusReply.rawValue, persistent: false))
        } catch {
            // The asker may be gone (its reply queue deleted); a reply is not worth retrying.
            logger.warning("reply not sent", metadata: .tributary([.error: "\(error)"]))
        }
    }

    private func answer(_ query: AMQPDelivery, store: any ExperimentStore, connection: AMQPConnection) async {
        let source = configuration.topology.statusQueue
        guard let replyTo = query.properties.replyTo else {
            await connection.deadLetter(
                query, reason: "status query without reply_to", code: "missing_reply_to", topology: configuration.topology, source: source)
            return
        }
        do {
            if query.properties.type == MessageType.listQuery.rawValue {
                let request = try MessageCoding.decode(ListQuery.self, from: query.body)
                let records = try await store.recentExperiments(state: request.state, limit: max(1, min(request.limit, ListQuery.maximumLimit)))
                let reply = ListReply(experiments: records.map { ExperimentStatus(record: $0, at: Date()) })
                try await connection.publish(
                    try MessageCoding.encode(reply), routingKey: replyTo,
                    properties: .contract(
                        messageID: UUID().uuidString, correlationID: query.properties.correlationID ?? "list", type: MessageType.listReply.rawValue,
                        persistent: false))
                try? query.ack()
                return
            }
            let request = try MessageCoding.decode(StatusQuery.self, from: query.body)
            let status = try await currentStatus(request.experimentID, store: store)
            var batches: [BatchStatus]?
            if request.detail, status != nil {
                batches = try await store.batches(
                    experimentID: request.experimentID, in: [.pending, .dispatched, .retryWait, .failed], limit: StatusReply.maximumBatches
                ).map(\.status)
            }
            await send(
                StatusReply(experimentID: request.experimentID, status: status, batches: batches), to: replyTo,
                correlationID: query.properties.correlationID ?? request.experimentID, connection: connection)
            try? query.ack()
        } catch let error as ContractError {
            await connection.deadLetter(query, for: error, topology: configuration.topology, source: source)
        } catch {
            logger.warning("status query not answered", metadata: .tributary([.error: "\(error)"]))
            try? query.ack()
        }
    }
}
