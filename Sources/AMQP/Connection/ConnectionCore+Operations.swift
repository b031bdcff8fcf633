import CRabbitMQ
import Foundation
import Logging

extension ConnectionCore {
    private func requireConnection(_ operation: String) throws(AMQPError) -> amqp_connection_state_t {
        guard let connection else { throw AMQPError(code: .notConnected, operation: operation, message: "no connection") }
        return connection
    }

    // MARK: Topology

    func declareNow(_ exchange: ExchangeDeclaration) throws(AMQPError) {
        let operation = "exchange.declare \(exchange.name)"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        amqp_exchange_declare(
            connection, Self.adminChannel, arena.bytes(exchange.name), arena.bytes(exchange.kind.name),
            0, exchange.durable ? 1 : 0, exchange.autoDelete ? 1 : 0, exchange.internal ? 1 : 0,
            arena.table(exchange.arguments))
        try lastReply(operation, channel: Self.adminChannel)
    }

    func declareNow(_ queue: QueueDeclaration) throws(AMQPError) -> QueueDeclareResult {
        let operation = "queue.declare \(queue.name)"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        let ok = amqp_queue_declare(
            connection, Self.adminChannel, arena.bytes(queue.name), 0, queue.durable ? 1 : 0,
            queue.exclusive ? 1 : 0, queue.autoDelete ? 1 : 0, arena.table(queue.arguments))
        try lastReply(operation, channel: Self.adminChannel)
        guard let ok else { throw AMQPError(code: .protocolError, operation: operation, message: "no declare-ok") }
        return QueueDeclareResult(name: ok.pointee.queue.string, messageCount: ok.pointee.message_count, consumerCount: ok.pointee.consumer_count)
    }

    func bindNow(_ binding: QueueBinding) throws(AMQPError) {
        let operation = "queue.bind \(binding.queue) to \(binding.exchange) (\(binding.routingKey))"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        amqp_queue_bind(
            connection, Self.adminChannel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
            arena.bytes(binding.routingKey), arena.table(binding.arguments))
        try lastReply(operation, channel: Self.adminChannel)
    }

    func unbindNow(_ binding: QueueBinding) throws(AMQPError) {
        let operation = "queue.unbind \(binding.queue) from \(binding.exchange) (\(binding.routingKey))"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        amqp_queue_unbind(
            connection, Self.adminChannel, arena.bytes(binding.queue), arena.bytes(binding.exchange),
            arena.bytes(binding.routingKey), arena.table(binding.arguments))
        try lastReply(operation, channel: Self.adminChannel)
        topology.forget(binding)
    }

    func deleteQueueNow(_ name: String, ifUnused: Bool, ifEmpty: Bool) throws(AMQPError) -> UInt32 {
        let operation = "queue.delete \(name)"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        let ok = amqp_queue_delete(connection, Self.adminChannel, arena.bytes(name), ifUnused ? 1 : 0, ifEmpty ? 1 : 0)
        try lastReply(operation, channel: Self.adminChannel)
        topology.forgetQueue(name)
        return ok?.pointee.message_count ?? 0
    }

    func deleteExchangeNow(_ name: String) throws(AMQPError) {
        let operation = "exchange.delete \(name)"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        amqp_exchange_delete(connection, Self.adminChannel, arena.bytes(name), 0)
        try lastReply(operation, channel: Self.adminChannel)
        topology.forgetExchange(name)
    }

    func purgeQueueNow(_ name: String) throws(AMQPError) -> UInt32 {
        let operation = "queue.purge \(name)"
        let connection = try requireConnection(operation)
        defer { arena.reset() }
        let ok = amqp_queue_purge(connection, Self.adminChannel, arena.bytes(name))
        try lastReply(operation, channel: Self.adminChannel)
        return ok?.pointee.message_count ?? 0
    }

    // MARK: Publishing

    /// Sends one message on the confirm channel; `completion` runs when the broker acks or nacks it.
    func publishNow(
        body: UnsafeRawBufferPointer, exchange: String, routingKey: String, mandatory: Bool,
        properties: AMQPProperties, completion: @escaping (Result<Void, AMQPError>) -> Void
    ) {
        guard let connection else {
            completion(.failure(AMQPError(code: .notConnected, operation: "publish", message: "no connection")))
            return
        }
        var cProperties = arena.properties(properties)
        let status = amqp_basic_publish(
            connection, Self.publishChannel, arena.bytes(exchange), arena.bytes(routingKey),
            mandatory ? 1 : 0, 0, &cProperties,
            amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
        arena.reset()
        guard status == AMQP_STATUS_OK.rawValue else {
            let error = AMQPError(
                code: .connectionLost, operation: "publish to '\(exchange)' (\(routingKey))",
                message: String(cString: amqp_error_string2(status)))
            completion(.failure(error))
            connectionLost(error)
            return
        }
        state.published(exchange: exchange, routingKey: routingKey, mandatory: mandatory, completion)
    }

    func handleConfirm(tag: UInt64, multiple: Bool, nack: Bool) {
        let outcome = state.confirm(tag: tag, multiple: multiple, nack: nack)
        for (completion, result) in outcome.resolved { completion(result) }
        if let stuck = outcome.stuck { connectionLost(stuck) }
    }

    func handleReturn(code: UInt16, text: String, exchange: String, routingKey: String) {
        guard !state.returned(code: code, text: text, exchange: exchange, routingKey: routingKey) else { return }
        logger.warning("AMQP basic.return for no pending publish", metadata: ["amqp.exchange": "\(exchange)", "amqp.routing_key": "\(routingKey)"])
    }

    // MARK: Consuming

    func addConsumer(
        queue: String, prefetch: UInt16, exclusive: Bool, arguments: AMQPTable,
        continuation: AsyncThrowingStream<[AMQPDelivery], any Error>.Continuation
    ) throws(AMQPError) -> (channel: UInt16, tag: String) {
        let channel = nextConsumerChannel
        nextConsumerChannel += 1
        let tag = "\(configuration.connectionName).\(channel).\(UInt32.random(in: 0...UInt32.max))"
        consumers[channel] = ConsumerRecord(
            queue: queue, tag: tag, prefetch: prefetch, exclusive: exclusive, arguments: arguments,
            continuation: continuation)
        do {
            try openChannel(channel)
            try startConsumerNow(channel)
        } catch {
            consumers[channel] = nil
            throw error
        }
        return (channel, tag)
    }

    /// Sets the channel's prefetch and issues `basic.consume`; the caller has opened the channel.
    func startConsumerNow(_ channel: UInt16) throws(AMQPError) {
        guard let record = consumers[channel] else { return }
        let operation = "basic.consume \(record.queue)"
        let connection = try requireConnection(operation)
        amqp_basic_qos(connection, channel, 0, record.prefetch, 0)
        try lastReply("basic.qos \(record.prefetch) on \(record.queue)", channel: channel)
        defer { arena.reset() }
        amqp_basic_consume(
            connection, channel, arena.bytes(record.queue), arena.bytes(record.tag), 0, 0,
            record.exclusive ? 1 : 0, arena.table(record.arguments))
        try lastReply(operation, channel: channel)
        record.epoch = state.nextEpoch()
        record.settlements = SettlementBatcher()
    }

    func cancelConsumer(channel: UInt16) throws(AMQPError) {
        guard let record = consumers[channel], record.active else { return }
        record.active = false
        record.continuation.finish()
        guard let connection, isOpen else { return }
        defer { arena.reset() }
        amqp_basic_cancel(connection, channel, arena.bytes(record.tag))
        // The channel stays open: deliveries already handed out can still be settled on it.
        try lastReply("basic.cancel \(record.queue)", channel: channel)
    }

    func acknowledge(_ acknowledgement: AMQPDelivery.Acknowledgement, channel: UInt16, tag: UInt64, epoch: UInt64) {
        guard let connection, isOpen, let record = consumers[channel], record.epoch == epoch else {
            // Sending it would name a tag the new channel never issued, and the broker would close it.
            logger.debug(
                "AMQP dropped settlement for a delivery from a lost channel; it will be redelivered",
                metadata: ["amqp.settlement": "\(acknowledgement)", "amqp.delivery_tag": "\(tag)"])
            return
        }
        let status: Int32
        switch acknowledgement {
        case .ack:
            record.settlements.ack(tag)
            channelsWithAcks.insert(channel)
            return
        case .nack(let requeue): status = amqp_basic_nack(connection, channel, tag, 0, requeue ? 1 : 0)
        case .reject(let requeue): status = amqp_basic_reject(connection, channel, tag, requeue ? 1 : 0)
        }
        record.settlements.settledIndividually(tag)
        try? checkStatus(status, "\(acknowledgement) delivery \(tag)")
    }

    /// Sends the acks gathered while running a batch of jobs, coalesced where that is exact.
    func flushAcks() {
        guard !channelsWithAcks.isEmpty else { return }
        let channels = channelsWithAcks
        channelsWithAcks.removeAll(keepingCapacity: true)
        for channel in channels {
            guard let connection, isOpen, let record = consumers[channel] else { continue }
            let (upTo, singles) = record.settlements.flush()
            var status = AMQP_STATUS_OK.rawValue
            if let upTo { status = amqp_basic_ack(connection, channel, upTo, 1) }
            for tag in singles where status == AMQP_STATUS_OK.rawValue { status = amqp_basic_ack(connection, channel, tag, 0) }
            try? checkStatus(status, "basic.ack on channel \(channel)")
        }
    }
}
