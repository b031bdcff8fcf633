import AMQP
import TributaryCore

/// Every exchange and queue Tributary uses, named under one namespace.
///
/// Every service declares the whole topology at start-up (declarations are idempotent), so
/// services can start in any order. A namespace other than `tributary` isolates a
/// deployment or a test run on a shared broker.
public struct Topology: Sendable, Hashable {
    public var namespace: String
    /// Deliveries of one message after which a quorum queue dead-letters it (a poison message).
    public var deliveryLimit: Int

    public init(namespace: String = "tributary", deliveryLimit: Int = 5) {
        self.namespace = namespace
        self.deliveryLimit = deliveryLimit
    }

    /// Direct exchange for tasks; routing key = task type.
    public var tasksExchange: String { "\(namespace).tasks" }
    /// Direct exchange for task results; routing key `result`.
    public var resultsExchange: String { "\(namespace).results" }
    /// Direct exchange for experiment requests (`submit`, `cancel`, `retry`) and status queries (`status`).
    public var experimentsExchange: String { "\(namespace).experiments" }
    /// Topic exchange for status events; routing key `experiment.<id>.<state>`.
    public var eventsExchange: String { "\(namespace).events" }
    /// Fanout exchange where refused and poison messages go.
    public var deadLetterExchange: String { "\(namespace).dlx" }

    public func taskQueue(_ type: TaskType) -> String { "\(namespace).tasks.\(type.rawValue)" }
    /// The queue of an analyser kind's lane (see ``AnalysisLane``); ``taskQueue(_:)`` of
    /// `analyse_batch` is the default lane.
    public func analysisQueue(_ kind: AnalyserSettings.Kind) -> String { "\(namespace).tasks.\(AnalysisLane.routingKey(for: kind))" }
    public var resultsQueue: String { "\(namespace).results" }
    public var requestsQueue: String { "\(namespace).experiments" }
    public var statusQueue: String { "\(namespace).status" }
    public var deadLetterQueue: String { "\(namespace).dead-letter" }
    /// The orchestrator's own copy of every dead letter: a task that left the queues without
    /// a result counts as a failed attempt, so no experiment waits for it for ever.
    public var orchestratorDeadLetterQueue: String { "\(namespace).dead-letter.orchestrator" }

    public static let resultRoutingKey = "result"
    public static let submitRoutingKey = "submit"
    public static let cancelRoutingKey = "cancel"
    public static let retryRoutingKey = "retry"
    public static let pauseRoutingKey = "pause"
    public static let resumeRoutingKey = "resume"
    public static let statusRoutingKey = "status"

    func workQueue(_ name: String) -> QueueDeclaration {
        QueueDeclaration(name: name, queueType: .quorum, deadLetterExchange: deadLetterExchange, deliveryLimit: deliveryLimit)
    }

    public var exchanges: [ExchangeDeclaration] {
        [
            ExchangeDeclaration(name: tasksExchange, kind: .direct),
            ExchangeDeclaration(name: resultsExchange, kind: .direct),
            ExchangeDeclaration(name: experimentsExchange, kind: .direct),
            ExchangeDeclaration(name: eventsExchange, kind: .topic),
            ExchangeDeclaration(name: deadLetterExchange, kind: .fanout),
        ]
    }

    public var queues: [QueueDeclaration] {
        TaskType.allCases.map { workQueue(taskQueue($0)) } + AnalyserSettings.Kind.allCases.map { workQueue(analysisQueue($0)) } + [
            workQueue(resultsQueue),
            workQueue(requestsQueue),
            // Status queries are answered from the store and worthless once stale: no DLX, short TTL.
            QueueDeclaration(name: statusQueue, queueType: .quorum, messageTTL: 30_000),
            QueueDeclaration(name: deadLetterQueue, queueType: .quorum),
            QueueDeclaration(name: orchestratorDeadLetterQueue, queueType: .quorum),
        ]
    }

    public var bindings: [QueueBinding] {
        TaskType.allCases.map { QueueBinding(queue: taskQueue($0), exchange: tasksExchange, routingKey: $0.rawValue) }
            + AnalyserSettings.Kind.allCases.map {
                QueueBinding(queue: analysisQueue($0), exchange: tasksExchange, routingKey: AnalysisLane.routingKey(for: $0))
            } + [
                QueueBinding(queue: resultsQueue, exchange: resultsExchange, routingKey: Self.resultRoutingKey),
                QueueBinding(queue: requestsQueue, exchange: experimentsExchange, routingKey: Self.submitRoutingKey),
                QueueBinding(queue: requestsQueue, exchange: experimentsExchange, routingKey: Self.cancelRoutingKey),
                QueueBinding(queue: requestsQueue, exchange: experimentsExchange, routingKey: Self.retryRoutingKey),
                QueueBinding(queue: requestsQueue, exchange: experimentsExchange, routingKey: Self.pauseRoutingKey),
                QueueBinding(queue: requestsQueue, exchange: experimentsExchange, routingKey: Self.resumeRoutingKey),
                QueueBinding(queue: statusQueue, exchange: experimentsExchange, routingKey: Self.statusRoutingKey),
                QueueBinding(queue: deadLetterQueue, exchange: deadLetterExchange, routingKey: ""),
                QueueBinding(queue: orchestratorDeadLetterQueue, exchange: deadLetterExchange, routingKey: ""),
            ]
    }

    /// Declares everything; safe to run any number of times from any service.
    public func declare(on connection: AMQPConnection) async throws {
        for exchange in exchanges { try await connection.declare(exchange) }
        for queue in queues { try await connection.declare(queue) }
        for binding in bindings { try await connection.bind(binding) }
    }

    /// Removes everything (for tests and teardown of a namespace).
    public func delete(on connection: AMQPConnection) async throws {
        for queue in queues { try await connection.deleteQueue(queue.name) }
        for exchange in exchanges { try await connection.deleteExchange(exchange.name) }
    }

    /// The exchange an outbox message goes to.
    package func exchange(for destination: OutboundMessage.Destination) -> String {
        switch destination {
        case .tasks: tasksExchange
        case .events: eventsExchange
        }
    }
}
