import Logging

/// A connection to an AMQP 0-9-1 broker.
///
/// All network work runs on a thread owned by this connection; every method here only
/// enqueues work and suspends, so it is safe to call from any task. If the connection
/// drops it is re-opened with backoff, declared topology and consumers are restored, and
/// operations issued meanwhile wait up to ``AMQPConfiguration/operationTimeout``.
/// Publishes in flight when it drops fail with ``AMQPError/Code/connectionLost``.
///
/// Keep a reference for as long as you use it or its consumers: releasing the last one
/// closes the connection.
public final class AMQPConnection: Sendable {
    public let configuration: AMQPConfiguration
    let thread: ConnectionThread
    let statusBoard: StatusBoard

    private init(configuration: AMQPConfiguration, thread: ConnectionThread, statusBoard: StatusBoard) {
        self.configuration = configuration
        self.thread = thread
        self.statusBoard = statusBoard
    }

    deinit {
        thread.submit { $0.shutdown() }
    }

    /// Opens a connection, failing fast (within the connect timeout) if the broker is
    /// unreachable or refuses the credentials.
    public static func connect(
        _ configuration: AMQPConfiguration,
        logger: Logger = Logger(label: "tributary.amqp")
    ) async throws(AMQPError) -> AMQPConnection {
        let thread = ConnectionThread()
        var logger = logger
        logger[metadataKey: "amqp.connection"] = "\(configuration.connectionName)"
        let statusBoard = StatusBoard()
        let core = ConnectionCore(configuration: configuration, logger: logger, owner: thread, statusBoard: statusBoard)
        thread.start(core: core, name: "amqp-\(configuration.connectionName)")
        let result: Result<Void, AMQPError> = await withUnsafeContinuation { continuation in
            thread.submit { core in
                do throws(AMQPError) {
                    try core.connectInitially()
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
        return AMQPConnection(configuration: configuration, thread: thread, statusBoard: statusBoard)
    }

    /// Opens a connection from an AMQP URI with default settings otherwise.
    public static func connect(url: String, logger: Logger = Logger(label: "tributary.amqp")) async throws(AMQPError) -> AMQPConnection {
        try await connect(AMQPConfiguration(url: url), logger: logger)
    }

    // MARK: Topology

    /// Declares an exchange (idempotent) and remembers it for re-declaration after a reconnect.
    public func declare(_ exchange: ExchangeDeclaration) async throws(AMQPError) {
        try ShortString.validate(exchange.name, "exchange name", operation: "exchange.declare")
        try await thread.perform("exchange.declare \(exchange.name)") { core throws(AMQPError) in
            try core.declareNow(exchange)
            core.topology.record(exchange)
        }
    }

    /// Declares a queue (idempotent) and remembers it for re-declaration after a reconnect.
    @discardableResult
    public func declare(_ queue: QueueDeclaration) async throws(AMQPError) -> QueueDeclareResult {
        try ShortString.validate(queue.name, "queue name", operation: "queue.declare")
        return try await thread.perform("queue.declare \(queue.name)") { core throws(AMQPError) in
            let result = try core.declareNow(queue)
            core.topology.record(queue)
            return result
        }
    }

    /// Binds a queue to an exchange and remembers the binding for recovery.
    public func bind(_ binding: QueueBinding) async throws(AMQPError) {
        try ShortString.validateBinding(binding, operation: "queue.bind")
        try await thread.perform("queue.bind \(binding.queue)") { core throws(AMQPError) in
            try core.bindNow(binding)
            core.topology.record(binding)
        }
    }

    public func unbind(_ binding: QueueBinding) async throws(AMQPError) {
        try ShortString.validateBinding(binding, operation: "queue.unbind")
        try await thread.perform("queue.unbind \(binding.queue)") { core throws(AMQPError) in
            try core.unbindNow(binding)
        }
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func deleteQueue(_ name: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws(AMQPError) -> UInt32 {
        try await thread.perform("queue.delete \(name)") { core throws(AMQPError) in
            try core.deleteQueueNow(name, ifUnused: ifUnused, ifEmpty: ifEmpty)
        }
    }

    public func deleteExchange(_ name: String) async throws(AMQPError) {
        try await thread.perform("exchange.delete \(name)") { core throws(AMQPError) in
            try core.deleteExchangeNow(name)
        }
    }

    /// Removes all ready messages from a queue; returns how many.
    @discardableResult
    public func purgeQueue(_ name: String) async throws(AMQPError) -> UInt32 {
        try await thread.perform("queue.purge \(name)") { core throws(AMQPError) in
            try core.purgeQueueNow(name)
        }
    }

    // MARK: Messages

    /// Publishes a message and returns once the broker has confirmed it.
    ///
    /// Any number of publishes may be in flight at once; each caller awaits its own
    /// confirm. Throws ``AMQPError/Code/publishNacked`` on `basic.nack`,
    /// ``AMQPError/Code/unroutable`` when `mandatory` and no queue took the message, and
    /// ``AMQPError/Code/connectionLost`` when the connection dropped before the confirm.
    public func publish(
        _ body: [UInt8],
        exchange: String = "",
        routingKey: String,
        properties: AMQPProperties = AMQPProperties(),
        mandatory: Bool = false
    ) async throws(AMQPError) {
        let operation = "publish to '\(exchange)' (\(routingKey))"
        // Checked here, not left to librabbitmq: it sends the method frame before it encodes
        // the properties, so a failure there would leave half a message on the wire.
        try ShortString.validatePublish(exchange: exchange, routingKey: routingKey, properties: properties, operation: operation)
        let result: Result<Void, AMQPError> = await withUnsafeContinuation { continuation in
            let submitted = thread.submit { core in
                core.whenOpen(
                    operation,
                    run: { core in
                        body.withUnsafeBytes { bytes in
                            core.publishNow(
                                body: bytes, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                                properties: properties
                            ) { continuation.resume(returning: $0) }
                        }
                    }, fail: { continuation.resume(returning: .failure($0)) })
            }
            if !submitted {
                continuation.resume(returning: .failure(AMQPError(code: .shutdown, operation: operation, message: "connection is closed")))
            }
        }
        try result.get()
    }

    /// Starts consuming a queue with manual acknowledgement.
    ///
    /// - Parameter prefetch: the most unacknowledged deliveries the broker sends this
    ///   consumer; it bounds memory as well as in-flight work.
    public func consume(
        queue: String,
        prefetch: UInt16 = 100,
        exclusive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws(AMQPError) -> AMQPConsumer {
        try ShortString.validate(queue, "queue name", operation: "basic.consume")
        let (stream, continuation) = AsyncThrowingStream<[AMQPDelivery], any Error>.makeStream()
        let (channel, tag) = try await thread.perform("basic.consume \(queue)") { core throws(AMQPError) in
            try core.addConsumer(queue: queue, prefetch: prefetch, exclusive: exclusive, arguments: arguments, continuation: continuation)
        }
        let owner = thread
        continuation.onTermination = { termination in
            // A consumer whose reader went away must not keep receiving messages nobody will ack.
            if case .cancelled = termination {
                owner.submit { core in try? core.cancelConsumer(channel: channel) }
            }
        }
        return AMQPConsumer(queue: queue, tag: tag, stream: stream, channel: channel, owner: thread)
    }

    /// The connection's health now, without waiting for its thread: for readiness probes.
    public var status: AMQPConnectionStatus { statusBoard.current }

    /// The current status, then every change (open, lost, re-opened) until the connection closes.
    public func statusUpdates() -> AsyncStream<AMQPConnectionStatus> { statusBoard.follow() }

    /// How many times the connection has been lost and re-opened since ``connect(_:logger:)``.
    public func recoveryCount() async throws(AMQPError) -> Int {
        try await thread.perform("read statistics") { core in core.recoveries }
    }

    /// Closes the connection: consumers end, unconfirmed publishes fail with
    /// ``AMQPError/Code/shutdown``. Bounded by the RPC timeout even if the broker is gone.
    public func close() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let submitted = thread.submit { core in
                core.shutdown()
                continuation.resume()
            }
            if !submitted { continuation.resume() }
        }
    }
}
