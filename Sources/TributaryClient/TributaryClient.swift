import AMQP
import Foundation
import Logging
import Tracing
import TributaryCore

/// The client library: submit experiments and follow them to their outcome.
///
/// Used by the `tributary` command and by every test, so what the tests wait on is exactly
/// what users wait on.
public struct TributaryClient: Sendable {
    public let connection: AMQPConnection
    public let topology: Topology
    /// Requests larger than this are refused before sending, with a clear error.
    public var maxRequestBytes = 16 << 20
    /// How often ``ExperimentSubscription/outcome(within:)`` also asks the orchestrator for
    /// the status, in case events were missed while the connection was being re-opened.
    public var statusPollInterval: Duration = .seconds(5)

    public init(connection: AMQPConnection, topology: Topology = Topology()) {
        self.connection = connection
        self.topology = topology
    }

    /// Declares the topology, so a request can be accepted even before the orchestrator starts.
    public func prepare() async throws {
        try await topology.declare(on: connection)
    }

    /// Subscribes to the experiment's events, then submits it. Subscribing first means no
    /// event can be missed between the two.
    public func submit(_ spec: ExperimentSpec, experimentID: String = UUID().uuidString.lowercased()) async throws -> ExperimentSubscription {
        try Self.checkExperimentID(experimentID)
        let body = try MessageCoding.encode(ExperimentRequest(experimentID: experimentID, submittedAt: Date(), experiment: spec))
        guard body.count <= maxRequestBytes else {
            throw TributaryClientError(
                code: .invalidExperiment,
                message:
                    "experiment request is \(body.count) bytes; the limit is \(maxRequestBytes) (a corpus this large travels through a content store: --document-store)"
            )
        }
        let subscription = try await follow(experimentID: experimentID)
        // The experiment's trace starts here: every task and result it causes continues it.
        try await withSpan("experiment.submit", ofKind: .producer) { span in
            span.attributes["tributary.experiment_id"] = experimentID
            try await connection.publish(
                body, exchange: topology.experimentsExchange, routingKey: Topology.submitRoutingKey,
                properties: .contract(
                    messageID: experimentID, correlationID: experimentID, type: MessageType.experimentRequest.rawValue,
                    traceHeaders: TracePropagation.rootHeaders(for: span.context)),
                mandatory: true)
        }
        return subscription
    }

    /// Follows the status events of an experiment already submitted.
    public func follow(experimentID: String) async throws -> ExperimentSubscription {
        try Self.checkExperimentID(experimentID)
        return try await subscribe(routingKey: EventRoutingKey.binding(experimentID: experimentID), experimentID: experimentID)
    }

    /// A queue of our own on the events exchange, bound to `routingKey`.
    private func subscribe(routingKey: String, experimentID: String) async throws -> ExperimentSubscription {
        let queue = "\(topology.namespace).client.\(UUID().uuidString.lowercased())"
        try await connection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true))
        try await connection.bind(QueueBinding(queue: queue, exchange: topology.eventsExchange, routingKey: routingKey))
        let consumer = try await connection.consume(queue: queue, prefetch: 256)
        return ExperimentSubscription(experimentID: experimentID, consumer: consumer, client: self)
    }

    /// Asks the orchestrator for the experiment's current status; nil if it does not know it.
    public func status(experimentID: String, timeout: Duration = .seconds(10)) async throws -> ExperimentStatus? {
        try await explain(experimentID: experimentID, timeout: timeout, detail: false).status
    }

    /// The status with the batches that are not done and those that failed: what
    /// `tributary explain` shows.
    public func explain(experimentID: String, timeout: Duration = .seconds(10), detail: Bool = true) async throws -> StatusReply {
        try Self.checkExperimentID(experimentID)
        return try await ask(
            StatusQuery(experimentID: experimentID, detail: detail), type: .statusQuery, routingKey: Topology.statusRoutingKey,
            experimentID: experimentID, timeout: timeout)
    }

    /// Cancels the experiment and returns its state afterwards: `cancelled`, or the state it
    /// had already ended in (then nothing changed); nil if the orchestrator does not know it.
    public func cancel(experimentID: String, timeout: Duration = .seconds(10)) async throws -> ExperimentStatus? {
        try await control(.experimentCancel, routingKey: Topology.cancelRoutingKey, experimentID: experimentID, timeout: timeout)
    }

    /// Re-runs the batches that failed for good and synthesises again; returns the state
    /// afterwards (`analysing` with the next `run`, or unchanged when there is nothing to re-run).
    public func retry(experimentID: String, timeout: Duration = .seconds(10)) async throws -> ExperimentStatus? {
        try await control(.experimentRetry, routingKey: Topology.retryRoutingKey, experimentID: experimentID, timeout: timeout)
    }

    /// Pauses an analysing experiment: no new tasks go out, and those already out are counted.
    /// Returns the state afterwards (`paused`, or unchanged for an experiment not analysing).
    public func pause(experimentID: String, timeout: Duration = .seconds(10)) async throws -> ExperimentStatus? {
        try await control(.experimentPause, routingKey: Topology.pauseRoutingKey, experimentID: experimentID, timeout: timeout)
    }

    /// Resumes a paused experiment, raising its budget to `maxCost` / `maxTokens` where given.
    /// Returns the state afterwards: still `paused` (reason `budget`) if the budget is still spent.
    public func resume(experimentID: String, maxCost: Double? = nil, maxTokens: Int? = nil, timeout: Duration = .seconds(10)) async throws
        -> ExperimentStatus?
    {
        try await control(
            .experimentResume, routingKey: Topology.resumeRoutingKey,
            request: ExperimentControlRequest(experimentID: experimentID, maxCost: maxCost, maxTokens: maxTokens), timeout: timeout)
    }

    private func control(_ type: MessageType, routingKey: String, experimentID: String, timeout: Duration) async throws -> ExperimentStatus? {
        try await control(type, routingKey: routingKey, request: ExperimentControlRequest(experimentID: experimentID), timeout: timeout)
    }

    private func control(_ type: MessageType, routingKey: String, request: ExperimentControlRequest, timeout: Duration) async throws
        -> ExperimentStatus?
    {
        try Self.checkExperimentID(request.experimentID)
        return try await ask(request, type: type, routingKey: routingKey, experimentID: request.experimentID, timeout: timeout).status
    }

    /// The orchestrator's most recent experiments, newest first (without their reports).
    public func list(state: ExperimentState? = nil, limit: Int = 20, offset: Int = 0, timeout: Duration = .seconds(10)) async throws
        -> [ExperimentStatus]
    {
        try await ask(
            ListQuery(state: state, limit: limit, offset: offset > 0 ? offset : nil), type: .listQuery, routingKey: Topology.statusRoutingKey,
            experimentID: "list", timeout: timeout,
            reply: ListReply.self
        )
        .experiments
    }

    /// The orchestrator's result cache, by analyser.
    public func cacheStatistics(timeout: Duration = .seconds(10)) async throws -> CacheReply {
        try await ask(
            CacheRequest(), type: .cacheQuery, routingKey: Topology.statusRoutingKey, experimentID: "cache", timeout: timeout, reply: CacheReply.self)
    }

    /// Deletes the cache entries of `analyser` (a label such as `llm:gpt-4o-mini`, or a kind:
    /// `llm`) made before `olderThan`; nil filters match everything. Experiments already
    /// planned keep what they took from the cache.
    public func purgeCache(analyser: String? = nil, olderThan: Date? = nil, timeout: Duration = .seconds(30)) async throws -> CacheReply {
        try await ask(
            CacheRequest(analyser: analyser, olderThan: olderThan), type: .cachePurge, routingKey: Topology.statusRoutingKey, experimentID: "cache",
            timeout: timeout, reply: CacheReply.self)
    }

    /// A completed experiment's synthesis task, rebuilt from the orchestrator's store, to
    /// render its report again (`report --rebuild`); `task` is nil for any other state.
    public func reportInput(experimentID: String, timeout: Duration = .seconds(60)) async throws -> ReportReply {
        try Self.checkExperimentID(experimentID)
        return try await ask(
            ReportRequest(experimentID: experimentID), type: .reportQuery, routingKey: Topology.statusRoutingKey, experimentID: experimentID,
            timeout: timeout, reply: ReportReply.self)
    }

    /// Every batch's state, in at most `cells` ranges, and `batchIndex` in full.
    public func batchMap(experimentID: String, cells: Int = 2_000, batchIndex: Int? = nil, timeout: Duration = .seconds(10)) async throws
        -> BatchMapReply
    {
        try Self.checkExperimentID(experimentID)
        return try await ask(
            BatchMapQuery(experimentID: experimentID, cells: cells, batchIndex: batchIndex), type: .batchMapQuery, routingKey: Topology.statusRoutingKey,
            experimentID: experimentID, timeout: timeout, reply: BatchMapReply.self)
    }

    /// Follows the status events of every experiment in the namespace. Read them with
    /// ``ExperimentSubscription/nextEvent()``; the subscription's `experimentID` is `*`.
    public func followAll() async throws -> ExperimentSubscription {
        try await subscribe(routingKey: EventRoutingKey.binding(), experimentID: "*")
    }

    /// Sends a request to the orchestrator and waits for its reply on a queue of our own.
    private func ask(_ request: some Encodable, type: MessageType, routingKey: String, experimentID: String, timeout: Duration) async throws
        -> StatusReply
    {
        try await ask(request, type: type, routingKey: routingKey, experimentID: experimentID, timeout: timeout, reply: StatusReply.self)
    }

    private func ask<Reply: Decodable & Sendable>(
        _ request: some Encodable, type: MessageType, routingKey: String, experimentID: String, timeout: Duration, reply: Reply.Type
    ) async throws -> Reply {
        let queue = "\(topology.namespace).reply.\(UUID().uuidString.lowercased())"
        try await connection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true))
        let consumer = try await connection.consume(queue: queue, prefetch: 1)
        defer { Task { try? await connection.deleteQueue(queue) } }
        var properties = AMQPProperties.contract(
            messageID: UUID().uuidString, correlationID: experimentID, type: type.rawValue,
            persistent: ![.statusQuery, .listQuery, .cacheQuery, .reportQuery, .batchMapQuery].contains(type))
        properties.replyTo = queue
        try await connection.publish(
            try MessageCoding.encode(request), exchange: topology.experimentsExchange, routingKey: routingKey, properties: properties, mandatory: true)
        return try await withTimeout(
            timeout, orThrow: TributaryClientError(code: .timeout, message: "no reply to \(type.rawValue) for \(experimentID) within \(timeout)")
        ) {
            for try await delivery in consumer {
                try? delivery.ack()
                return try MessageCoding.decode(Reply.self, from: delivery.body)
            }
            throw TributaryClientError(code: .disconnected, message: "reply consumer ended")
        }
    }

    /// Refuses an id the contract can't carry before anything is sent.
    static func checkExperimentID(_ id: String) throws(TributaryClientError) {
        do {
            try Identifier.validateExperimentID(id)
        } catch {
            throw TributaryClientError(code: .invalidExperiment, message: error.description)
        }
    }
}
