import AMQP
import Foundation
import Logging
import ServiceLifecycle
import TributaryClient
import TributaryCore
import TributaryStore

/// The orchestrator process: one event loop over experiment requests and task results.
///
/// Deliveries arrive in batches; each batch is applied in one SQLite transaction (a group
/// commit) together with the outbox messages it causes, and only then acknowledged. The
/// outbox is published with confirms afterwards, so a crash at any point neither loses a
/// step nor takes one twice. It never waits for a task: it reacts to results.
public struct OrchestratorService: Service {
    public let configuration: OrchestratorConfiguration
    let logger: Logger
    let orchestrator = Orchestrator()

    public init(configuration: OrchestratorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let topology = configuration.topology
        let store = try await SQLiteExperimentStore.open(path: configuration.databasePath, durability: configuration.durability)
        let connection: AMQPConnection
        do {
            connection = try await AMQPConnection.connect(configuration.amqp, logger: logger)
            try await topology.declare(on: connection)
        } catch {
            await store.close()
            throw error
        }
        let publisher = OutboxPublisher(connection: connection, store: store, topology: topology, logger: logger, window: configuration.publishWindow)
        let recovered = try await store.pendingOutbox()
        if !recovered.isEmpty { logger.info("re-publishing unconfirmed outbox entries", metadata: .tributary([.count: "\(recovered.count)"])) }
        await publisher.enqueue(recovered)

        let requests = try await connection.consume(queue: topology.requestsQueue, prefetch: configuration.prefetch)
        let results = try await connection.consume(queue: topology.resultsQueue, prefetch: configuration.prefetch)
        let statusQueries = try await connection.consume(queue: topology.statusQueue, prefetch: 32)
        logger.info("orchestrator ready", metadata: .tributary([.database: "\(configuration.databasePath)", .namespace: "\(topology.namespace)"]))

        let (batches, feed) = AsyncStream<(source: String, deliveries: [AMQPDelivery])>.makeStream()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    try await withThrowingDiscardingTaskGroup { feeders in
                        for consumer in [requests, results] {
                            feeders.addTask {
                                for try await batch in consumer.batches { feed.yield((consumer.queue, batch)) }
                            }
                        }
                    }
                    feed.finish()
                }
                group.addTask {
                    for try await query in statusQueries {
                        await answer(query, store: store, connection: connection)
                    }
                }
                // The single event loop: one batch at a time, so the store sees one writer.
                for await batch in batches {
                    await process(batch.deliveries, from: batch.source, store: store, publisher: publisher, connection: connection)
                }
            }
        } onGracefulShutdown: {
            Task {
                for consumer in [requests, results, statusQueries] { try? await consumer.cancel() }
            }
        }
        logger.info("orchestrator stopping: flushing outbox")
        await publisher.waitUntilIdle()
        await connection.close()
        await store.close()
    }

    private func decode(_ delivery: AMQPDelivery, from source: String) throws(ContractError) -> Orchestrator.Input {
        if source == configuration.topology.requestsQueue {
            return .request(try MessageCoding.decode(ExperimentRequest.self, from: delivery.body))
        }
        return .result(try MessageCoding.decode(TaskResult<JSONValue>.self, from: delivery.body))
    }

    private func process(
        _ deliveries: [AMQPDelivery], from source: String, store: SQLiteExperimentStore,
        publisher: OutboxPublisher, connection: AMQPConnection
    ) async {
        var accepted: [(delivery: AMQPDelivery, input: Orchestrator.Input)] = []
        for delivery in deliveries {
            do {
                accepted.append((delivery, try decode(delivery, from: source)))
            } catch {
                logger.error(
                    "dead-lettering invalid message",
                    metadata: .tributary([.queue: "\(source)", .messageID: "\(delivery.properties.messageID ?? "-")", .reason: "\(error)"]))
                await connection.deadLetter(delivery, reason: "\(error)", topology: configuration.topology, source: source)
            }
        }
        guard !accepted.isEmpty else { return }
        let inputs = accepted.map(\.input)
        do {
            try await apply(inputs, store: store, publisher: publisher)
            for item in accepted { try? item.delivery.ack() }
        } catch {
            // One bad message must not hold up the rest of its batch: apply them one by one.
            logger.warning("group commit failed; applying the batch one message at a time", metadata: .tributary([.error: "\(error)"]))
            for (position, item) in accepted.enumerated() {
                do {
                    try await apply([item.input], store: store, publisher: publisher)
                    try? item.delivery.ack()
                } catch  where error is SQLiteError || error is ExperimentStoreError {
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
                    await connection.deadLetter(item.delivery, reason: "\(error)", topology: configuration.topology, source: source)
                }
            }
        }
    }

    private func apply(_ inputs: [Orchestrator.Input], store: SQLiteExperimentStore, publisher: OutboxPublisher) async throws {
        let orchestrator = orchestrator
        let now = Date()
        let (dispositions, enqueued) = try await store.transaction { transaction in
            try inputs.map { try orchestrator.handle($0, at: now, in: transaction) }
        }
        await publisher.enqueue(enqueued)
        for disposition in dispositions {
            if disposition.applied {
                logger.debug("applied", metadata: disposition.logMetadata)
            } else {
                logger.info("ignored", metadata: disposition.logMetadata)
            }
        }
    }

    private func answer(_ query: AMQPDelivery, store: SQLiteExperimentStore, connection: AMQPConnection) async {
        guard let replyTo = query.properties.replyTo else {
            await connection.deadLetter(
                query, reason: "status query without reply_to", topology: configuration.topology, source: configuration.topology.statusQueue)
            return
        }
        do {
            let request = try MessageCoding.decode(StatusQuery.self, from: query.body)
            let status = try await store.experiment(id: request.experimentID).map { record in
                ExperimentStatus(record: record, report: try record.report.map { try MessageCoding.decode(JSONValue.self, from: $0) }, at: Date())
            }
            try await connection.publish(
                try MessageCoding.encode(StatusReply(experimentID: request.experimentID, status: status)), routingKey: replyTo,
                properties: .contract(
                    messageID: UUID().uuidString, correlationID: query.properties.correlationID ?? request.experimentID,
                    type: "status_reply", persistent: false))
            try? query.ack()
        } catch let error as ContractError {
            await connection.deadLetter(query, reason: "\(error)", topology: configuration.topology, source: configuration.topology.statusQueue)
        } catch {
            // The asker may be gone (its reply queue deleted); a status query is not worth retrying.
            logger.warning("status query not answered", metadata: .tributary([.error: "\(error)"]))
            try? query.ack()
        }
    }
}
