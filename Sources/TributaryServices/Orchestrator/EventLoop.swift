import AMQP
import Foundation
import Logging
import ServiceLifecycle
import TributaryClient
import TributaryCore
import TributaryObservability
import TributaryStore

extension OrchestratorService {
    /// The orchestrator at work: consumers feed one queue, and one loop takes its items one
    /// at a time, so the store sees a single writer.
    struct EventLoop {
        let service: OrchestratorService
        let store: any ExperimentStore
        let connection: AMQPConnection
        let publisher: OutboxPublisher
        let observer: DispositionObserver
        let feed: WorkQueue

        var configuration: OrchestratorConfiguration { service.configuration }
        var logger: Logger { service.logger }
        var responder: StatusResponder {
            StatusResponder(store: store, orchestrator: service.orchestrator, connection: connection, topology: configuration.topology, logger: logger)
        }

        /// Until graceful shutdown, or until a consumer fails.
        func run(keeping outbox: OutboxAdoption) async throws {
            let topology = configuration.topology
            let requests = try await connection.consume(queue: topology.requestsQueue, prefetch: configuration.prefetch)
            let results = try await connection.consume(queue: topology.resultsQueue, prefetch: configuration.prefetch)
            let deadLetters = try await connection.consume(queue: topology.orchestratorDeadLetterQueue, prefetch: 64)
            let statusQueries = try await connection.consume(queue: topology.statusQueue, prefetch: 32)
            service.readiness.mark("consumers", notReady: nil)
            logger.info("orchestrator ready", metadata: .tributary([.database: "\(store.location)", .namespace: "\(topology.namespace)"]))
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
                    group.addTask { [responder] in
                        for try await query in statusQueries { await responder.answer(query) }
                    }
                    group.addTask { await tickTimers() }
                    group.addTask { await outbox.keep() }
                    group.addTask { await ConnectionHealth.countReconnects(of: connection) }
                    await takeWork()
                    // The consumers have ended (shutdown): stop the timer and status tasks too.
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                service.readiness.mark("consumers", notReady: "shutting down")
                Task {
                    for consumer in [requests, results, deadLetters, statusQueries] { try? await consumer.cancel() }
                }
            }
        }

        private func takeWork() async {
            while let item = await feed.next() {
                switch item {
                case .deliveries(let source, let deliveries): await process(deliveries, from: source)
                case .timers: await fireTimers()
                case .refused(let message, let reason): await refused(message, reason: reason)
                }
            }
        }

        // MARK: Timers

        /// Asks the event loop to fire timers whenever one is due. Timers live in the store, so
        /// after a restart they fire as if nothing happened; this task only decides when to look.
        private func tickTimers() async {
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

        private func fireTimers() async {
            let orchestrator = service.orchestrator
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

        /// A task the broker will never accept fails its attempt for good, so the experiment
        /// fails with the broker's reason (or goes on without the batch, if its failures are
        /// tolerated) instead of waiting for a result that can't come.
        private func refused(_ message: OutboundMessage, reason: String) async {
            guard let input = DeliveryDecoder.refusedTask(message, reason: reason) else { return }
            do {
                let arrival = DispositionObserver.Arrival.now
                let dispositions = try await apply([input], arrival: arrival)
                await observer.observe(dispositions, inputs: [input], arrival: arrival)
            } catch {
                logger.error("could not record a refused task", metadata: .tributary([.messageID: "\(message.messageID)", .error: "\(error)"]))
            }
        }

        // MARK: Deliveries

        private func process(_ deliveries: [AMQPDelivery], from source: String) async {
            let arrival = DispositionObserver.Arrival.now
            let decoder = DeliveryDecoder(topology: configuration.topology)
            var accepted: [(delivery: AMQPDelivery, input: Orchestrator.Input)] = []
            for delivery in deliveries {
                do {
                    guard let input = try decoder.input(of: delivery, from: source) else {
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
                let dispositions = try await apply(inputs, arrival: arrival)
                await observer.observe(dispositions, inputs: inputs, arrival: arrival)
                for (item, disposition) in zip(accepted, dispositions) {
                    try? item.delivery.ack()
                    await responder.reply(to: item.delivery, for: disposition)
                }
            } catch {
                // One bad message must not hold up the rest of its batch: apply them one by one.
                logger.warning("group commit failed; applying the batch one message at a time", metadata: .tributary([.error: "\(error)"]))
                await processOneByOne(accepted, from: source, arrival: arrival)
            }
        }

        private func processOneByOne(
            _ accepted: [(delivery: AMQPDelivery, input: Orchestrator.Input)], from source: String, arrival: DispositionObserver.Arrival
        ) async {
            for (position, item) in accepted.enumerated() {
                do {
                    let dispositions = try await apply([item.input], arrival: arrival)
                    await observer.observe(dispositions, inputs: [item.input], arrival: arrival)
                    try? item.delivery.ack()
                    await responder.reply(to: item.delivery, for: dispositions[0])
                } catch  where store.isStoreFailure(error) {
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

        private func apply(_ inputs: [Orchestrator.Input], arrival: DispositionObserver.Arrival) async throws -> [Orchestrator.Disposition] {
            let orchestrator = service.orchestrator
            let now = Date()
            let (dispositions, enqueued) = try await store.transaction(locking: inputs.map(\.experimentID)) { transaction in
                try orchestrator.handle(inputs, at: now, in: transaction)
            }
            observer.beginFanIns(dispositions, arrival: arrival)
            await publisher.enqueue(enqueued)
            return dispositions
        }
    }
}
