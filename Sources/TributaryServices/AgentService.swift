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

/// Runs one agent: consumes its task queue, runs the handler, publishes the result with a
/// confirm and only then acks the task (at-least-once). A task that can't be decoded goes
/// to the dead-letter queue with the reason, and if it still names its task, a failed
/// result tells the orchestrator. On graceful shutdown it stops taking tasks, finishes the
/// ones in flight, and returns.
public struct AgentService<Handler: TaskHandler>: Service {
    public let configuration: AgentConfiguration
    public let handler: Handler
    let logger: Logger
    /// Where `/readyz` learns whether the broker and the task consumer are up.
    let readiness: Readiness

    public init(configuration: AgentConfiguration, handler: Handler, logger: Logger, readiness: Readiness = Readiness()) {
        self.configuration = configuration
        self.handler = handler
        self.readiness = readiness
        var logger = logger
        logger[tributaryMetadataKey: .workerID] = "\(configuration.workerID)"
        self.logger = logger
    }

    public func run() async throws {
        readiness.mark("consumers", notReady: "not started")
        let connection: AMQPConnection
        do {
            connection = try await BrokerWait.connect(configuration.amqp, logger: logger, readiness: readiness)
        } catch is CancellationError {
            logger.info("agent stopping before the broker was reachable")
            return
        }
        ConnectionHealth.register(connection, in: readiness)
        let metrics = AgentMetrics(taskType: handler.taskType)
        let topology = configuration.topology
        try await topology.declare(on: connection)
        let queues = configuration.queues ?? [topology.taskQueue(handler.taskType)]
        var opened: [(queue: String, consumer: AMQPConsumer)] = []
        for queue in queues {
            opened.append((queue, try await connection.consume(queue: queue, prefetch: UInt16(clamping: configuration.concurrency))))
        }
        let consumers = opened
        let recent = RecentTasks(capacity: configuration.recentTaskMemory)
        let watch = CancellationWatch(capacity: configuration.recentTaskMemory)
        let cancellations = try await watchCancellations(on: connection, topology: topology)
        readiness.mark("consumers", notReady: nil)
        logger.info(
            "agent ready",
            metadata: .tributary([.queue: "\(queues.joined(separator: ","))", .concurrency: "\(configuration.concurrency)"]))

        // Each lane's deliveries, merged: one loop below starts every task, whichever queue it came from.
        let (deliveries, delivered) = AsyncThrowingStream.makeStream(of: (delivery: AMQPDelivery, queue: String).self)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                let reconnects = Task { await ConnectionHealth.countReconnects(of: connection) }
                defer { reconnects.cancel() }
                group.addTask {
                    for try await delivery in cancellations {
                        try? delivery.ack()
                        if let id = delivery.properties.correlationID {
                            logger.info("experiment cancelled; skipping its tasks", metadata: .tributary([.experimentID: "\(id)"]))
                            watch.cancel(id)
                        }
                    }
                }
                let forwarding = Task {
                    do {
                        try await withThrowingDiscardingTaskGroup { lanes in
                            for (queue, consumer) in consumers {
                                lanes.addTask { for try await delivery in consumer { delivered.yield((delivery, queue)) } }
                            }
                        }
                        delivered.finish()
                    } catch {
                        delivered.finish(throwing: error)
                    }
                }
                defer { forwarding.cancel() }
                // Prefetch bounds each lane's deliveries outstanding, so this spawns at most
                // `concurrency` tasks per lane at once.
                for try await (delivery, queue) in deliveries {
                    group.addTask {
                        await process(delivery, connection: connection, queue: queue, recent: recent, watch: watch, metrics: metrics)
                    }
                }
                // The task consumers have ended (shutdown); the handlers still running finish, the
                // cancellation watch stops with them.
                try? await cancellations.cancel()
            }
        } onGracefulShutdown: {
            readiness.mark("consumers", notReady: "shutting down")
            Task { for (_, consumer) in consumers { try? await consumer.cancel() } }
        }
        logger.info("agent stopping: in-flight tasks finished")
        await connection.close()
    }

    /// A queue of this agent's own on the events exchange, for `cancelled` events only: the
    /// agent hears of a cancellation as soon as the orchestrator commits it.
    private func watchCancellations(on connection: AMQPConnection, topology: Topology) async throws -> AMQPConsumer {
        let queue = "\(topology.namespace).agent.\(handler.taskType.rawValue).\(UUID().uuidString.lowercased())"
        try await connection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true))
        try await connection.bind(
            QueueBinding(queue: queue, exchange: topology.eventsExchange, routingKey: EventRoutingKey.binding(state: .cancelled)))
        return try await connection.consume(queue: queue, prefetch: 64)
    }

    private func process(
        _ delivery: AMQPDelivery, connection: AMQPConnection, queue: String, recent: RecentTasks, watch: CancellationWatch, metrics: AgentMetrics
    ) async {
        let task: TaskMessage
        do {
            task = try MessageCoding.decode(TaskMessage.self, from: delivery.body)
            guard task.taskType == handler.taskType else {
                throw ContractError(.malformed, "\(task.taskType.rawValue) task on the \(handler.taskType.rawValue) queue")
            }
        } catch {
            await refuse(delivery, reason: error, connection: connection, queue: queue)
            return
        }
        var logger = logger
        logger[tributaryMetadataKey: .taskID] = "\(task.taskID)"
        logger[tributaryMetadataKey: .experimentID] = "\(task.experimentID)"
        // Each attempt is its own message: a retry of a task that failed here must run again.
        let messageID = task.identity.messageID(attempt: task.attempt, run: task.run)
        if recent.contains(messageID) {
            logger.info("dropping duplicate of a task already completed here")
            try? delivery.ack()
            return
        }

        // The task's span continues the experiment's trace; the result carries it back.
        let span = InstrumentationSystem.tracer.startSpan(
            task.taskType.rawValue, context: TracePropagation.context(from: delivery.properties.headers), ofKind: .consumer)
        span.attributes["tributary.experiment_id"] = task.experimentID
        span.attributes["tributary.attempt"] = task.attempt
        if let index = task.batchIndex { span.attributes["tributary.batch_index"] = index }
        defer { span.end() }
        let traceHeaders = TracePropagation.headers(for: span.context, incoming: delivery.properties.headers)

        let clock = ContinuousClock.now
        metrics.inFlight.increment()
        guard let body = await outcome(of: task, watch: watch, span: span, logger: logger) else {
            metrics.inFlight.decrement()
            logger.info("task of a cancelled experiment skipped")
            try? delivery.ack()
            return
        }
        metrics.inFlight.decrement()
        metrics.taskDuration.record(duration: ContinuousClock.now - clock)

        do {
            try await publishResult(
                body, for: task.identity, headers: TaskHeaders(attempt: task.attempt, run: task.run, batchIndex: task.batchIndex),
                traceHeaders: traceHeaders, connection: connection)
            recent.insert(messageID)
            try delivery.ack()
            logger.debug("task done")
        } catch {
            // Unacked, the task comes back (to us or another worker) once the broker sees the nack or the connection drop.
            logger.error("could not publish result; task will be redelivered", metadata: .tributary([.error: "\(error)"]))
            try? delivery.nack(requeue: true)
        }
    }

    /// The encoded result of running the handler on `task`, completed or failed; nil when
    /// the experiment was cancelled meanwhile.
    private func outcome(of task: TaskMessage, watch: CancellationWatch, span: any Span, logger: Logger) async -> [UInt8]? {
        let started = Date()
        func result<Output>(_ status: TaskStatus, _ output: Output? = nil, _ failure: TaskFailure? = nil) -> TaskResult<Output> {
            TaskResult(
                task: task.identity, attempt: task.attempt, run: task.run, status: status, result: output, error: failure,
                workerID: configuration.workerID, startedAt: started, finishedAt: Date())
        }
        do {
            do {
                let handler = handler
                guard let output = try await watch.run(for: task.experimentID, { try await handler.handle(task) }) else { return nil }
                return try MessageCoding.encode(result(.completed, output))
            } catch let error as EncodingError {
                throw error
            } catch {
                let failure = (error as? TaskFailure) ?? TaskFailure(code: "handler_error", message: "\(error)")
                logger.warning("task failed", metadata: .tributary([.error: "\(failure)"]))
                span.setStatus(SpanStatus(code: .error, message: failure.code))
                return try MessageCoding.encode(result(.failed, Optional<Handler.Output>.none, failure))
            }
        } catch {
            // The handler's output could not be encoded: a defect of the handler, reported as a failure of the task.
            let failure = TaskFailure(code: "handler_error", message: "result could not be encoded: \(error)")
            return (try? MessageCoding.encode(result(.failed, Optional<JSONValue>.none, failure))) ?? []
        }
    }

    private func publishResult(
        _ body: [UInt8], for task: TaskIdentity, headers: TaskHeaders, traceHeaders: [String: String] = [:], connection: AMQPConnection
    ) async throws {
        try await connection.publish(
            body, exchange: configuration.topology.resultsExchange, routingKey: Topology.resultRoutingKey,
            properties: .contract(
                messageID: task.messageID(attempt: headers.attempt, run: headers.run) + ".result", correlationID: task.experimentID,
                type: MessageType.taskResult.rawValue, headers: headers.values, traceHeaders: traceHeaders),
            mandatory: true)
    }

    /// Dead-letters a task that can't be run. If its identity is still readable, the
    /// orchestrator also gets a failed result, so the experiment fails with the reason
    /// instead of waiting for a result that will never come.
    private func refuse(_ delivery: AMQPDelivery, reason: any Error, connection: AMQPConnection, queue: String) async {
        logger.error(
            "dead-lettering a task that can't be decoded",
            metadata: .tributary([.messageID: "\(delivery.properties.messageID ?? "-")", .queue: "\(queue)", .reason: "\(reason)"]))
        let header = try? MessageCoding.decode(TaskIdentityHeader.self, from: delivery.body)
        if let header, header.identity.taskType == handler.taskType, (try? Identifier.validateTask(header.identity)) != nil {
            let now = Date()
            let result = TaskResult<JSONValue>(
                task: header.identity, attempt: header.attempt, run: header.run, status: .failed,
                error: TaskFailure(code: "invalid_task", message: "\(reason)", permanent: true),
                workerID: configuration.workerID, startedAt: now, finishedAt: now)
            // If this publish fails, the dead letter below still tells the orchestrator.
            if let body = try? MessageCoding.encode(result) {
                let headers = delivery.properties.headers
                try? await publishResult(
                    body, for: header.identity, headers: TaskHeaders(attempt: header.attempt, run: header.run, batchIndex: header.identity.batchIndex),
                    traceHeaders: TracePropagation.headers(for: TracePropagation.context(from: headers), incoming: headers), connection: connection)
            }
        }
        await connection.deadLetter(delivery, for: reason, topology: configuration.topology, source: queue)
    }
}

/// The identity fields of a task message, read on their own when the whole message can't be.
private struct TaskIdentityHeader: Decodable, VersionedMessage {
    var schemaVersion: Int
    var attempt: Int
    var run: Int
    var identity: TaskIdentity

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 1
        run = try container.decodeIfPresent(Int.self, forKey: .run) ?? 1
        identity = try TaskIdentity(from: decoder)
    }

    enum CodingKeys: String, CodingKey { case schemaVersion, attempt, run }
}
