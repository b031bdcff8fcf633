import AMQP
import Foundation
import Logging
import ServiceLifecycle
import TributaryCore

/// Runs one agent: consumes its task queue, runs the handler, publishes the result with a
/// confirm and only then acks the task (at-least-once). Undecodable tasks go to the
/// dead-letter queue with the reason. On graceful shutdown it stops taking tasks, finishes
/// the ones in flight, and returns.
public struct AgentService: Service {
    public let configuration: AgentConfiguration
    public let handler: any TaskHandler
    let logger: Logger

    public init(configuration: AgentConfiguration, handler: any TaskHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
    }

    public func run() async throws {
        let connection = try await AMQPConnection.connect(configuration.amqp, logger: logger)
        let topology = configuration.topology
        try await topology.declare(on: connection)
        let queue = topology.taskQueue(handler.taskType)
        let consumer = try await connection.consume(queue: queue, prefetch: UInt16(clamping: configuration.concurrency))
        let recent = RecentTasks(capacity: configuration.recentTaskMemory)
        logger.info("agent ready", metadata: ["queue": "\(queue)", "concurrency": "\(configuration.concurrency)"])

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                // Prefetch bounds the deliveries outstanding, so this spawns at most `concurrency` tasks at once.
                for try await delivery in consumer {
                    group.addTask {
                        await process(delivery, connection: connection, queue: queue, recent: recent)
                    }
                }
            }
        } onGracefulShutdown: {
            Task { try? await consumer.cancel() }
        }
        logger.info("agent stopping: in-flight tasks finished")
        await connection.close()
    }

    private func process(_ delivery: AMQPDelivery, connection: AMQPConnection, queue: String, recent: RecentTasks) async {
        let task: TaskMessage
        do {
            task = try MessageCoding.decode(TaskMessage.self, from: delivery.body)
            guard task.taskType == handler.taskType else {
                throw ContractError(.malformed, "\(task.taskType.rawValue) task on the \(handler.taskType.rawValue) queue")
            }
        } catch {
            logger.error("dead-lettering undecodable task", metadata: ["messageId": "\(delivery.properties.messageID ?? "-")", "reason": "\(error)"])
            await connection.deadLetter(delivery, reason: "\(error)", topology: configuration.topology, source: queue)
            return
        }
        var logger = logger
        logger[metadataKey: "task"] = "\(task.taskID)"
        if recent.contains(task.taskID) {
            logger.info("dropping duplicate of a task already completed here")
            try? delivery.ack()
            return
        }

        let started = Date()
        let result: TaskResult
        do {
            let output = try await handler.handle(task)
            result = TaskResult(task: task, status: .completed, result: output, workerID: configuration.workerID, startedAt: started, finishedAt: Date())
        } catch {
            let failure = (error as? TaskFailure) ?? TaskFailure(code: "handler_error", message: "\(error)")
            logger.warning("task failed", metadata: ["error": "\(failure)"])
            result = TaskResult(task: task, status: .failed, error: failure, workerID: configuration.workerID, startedAt: started, finishedAt: Date())
        }

        do {
            try await connection.publish(
                try MessageCoding.encode(result), exchange: configuration.topology.resultsExchange, routingKey: Topology.resultRoutingKey,
                properties: .contract(messageID: "\(task.taskID).result", correlationID: task.experimentID, type: "task_result",
                                      headers: task.batchIndex.map { ["batch_index": $0] } ?? [:]),
                mandatory: true)
            recent.insert(task.taskID)
            try delivery.ack()
            logger.debug("task done", metadata: ["status": "\(result.status.rawValue)"])
        } catch {
            // Unacked, the task comes back (to us or another worker) once the broker sees the nack or the connection drop.
            logger.error("could not publish result; task will be redelivered", metadata: ["error": "\(error)"])
            try? delivery.nack(requeue: true)
        }
    }
}
