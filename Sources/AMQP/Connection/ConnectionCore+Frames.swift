import CRabbitMQ
import Glibc
import Logging

extension ConnectionCore {
    private enum Method {
        static let connectionClose: UInt32 = 0x000A_0032
        static let connectionBlocked: UInt32 = 0x000A_003C
        static let connectionUnblocked: UInt32 = 0x000A_003D
        static let channelClose: UInt32 = 0x0014_0028
        static let basicCancel: UInt32 = 0x003C_001E
        static let basicReturn: UInt32 = 0x003C_0032
        static let basicDeliver: UInt32 = 0x003C_003C
        static let basicAck: UInt32 = 0x003C_0050
        static let basicNack: UInt32 = 0x003C_0078
    }

    /// Reads and dispatches frames without blocking; true if the budget ran out with more to read.
    ///
    /// The budget keeps a flood of deliveries from starving queued acks and publishes.
    func readAvailableFrames(budget: Int = 256) -> Bool {
        var frame = amqp_frame_t()
        var immediate = Duration.zero.timevalValue
        var framesRead = 0
        defer {
            if framesRead > 0 { lastReceive = clock.now }
            handOverDeliveries()
        }
        for _ in 0..<budget {
            guard let connection, isOpen else { return false }
            let status = amqp_simple_wait_frame_noblock(connection, &frame, &immediate)
            if status == AMQP_STATUS_TIMEOUT.rawValue { return false }
            guard status == AMQP_STATUS_OK.rawValue else {
                connectionLost(AMQPError(code: .connectionLost, operation: "read frame", message: String(cString: amqp_error_string2(status))))
                return false
            }
            framesRead += 1
            dispatch(frame)
            // Everything needed from the frame has been copied into Swift values by now.
            if let connection = self.connection { amqp_maybe_release_buffers(connection) }
        }
        return true
    }

    private func dispatch(_ frame: amqp_frame_t) {
        let channel = frame.channel
        switch Int32(frame.frame_type) {
        case AMQP_FRAME_METHOD:
            dispatchMethod(frame.payload.method, channel: channel)
        case AMQP_FRAME_HEADER:
            guard let content = assembling[channel],
                let decoded = frame.payload.properties.decoded
            else { return }
            do {
                content.properties = try AMQPProperties(decoded.assumingMemoryBound(to: amqp_basic_properties_t.self).pointee)
            } catch {
                logger.error("AMQP message with undecodable properties", metadata: ["amqp.error": "\(error)"])
            }
            content.bodySize = Int(frame.payload.properties.body_size)
            content.body.reserveCapacity(content.bodySize)
            content.headerSeen = true
            finishOrKeep(content, channel: channel)
        case AMQP_FRAME_BODY:
            guard let content = assembling[channel] else { return }
            let fragment = frame.payload.body_fragment
            if fragment.len > 0, let bytes = fragment.bytes {
                content.body.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: fragment.len))
            }
            finishOrKeep(content, channel: channel)
        default:
            break
        }
    }

    private func dispatchMethod(_ method: amqp_method_t, channel: UInt16) {
        guard let decoded = method.decoded else { return }
        switch method.id {
        case Method.basicDeliver:
            let deliver = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            assembling[channel] = ContentAssembly(
                .delivery(
                    tag: deliver.delivery_tag, redelivered: deliver.redelivered != 0,
                    exchange: deliver.exchange.string, routingKey: deliver.routing_key.string,
                    consumerTag: deliver.consumer_tag.string))
        case Method.basicReturn:
            let returned = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            assembling[channel] = ContentAssembly(
                .returned(
                    code: returned.reply_code, text: returned.reply_text.string,
                    exchange: returned.exchange.string, routingKey: returned.routing_key.string))
        case Method.basicAck:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            handleConfirm(tag: ack.delivery_tag, multiple: ack.multiple != 0, nack: false)
        case Method.basicNack:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            handleConfirm(tag: nack.delivery_tag, multiple: nack.multiple != 0, nack: true)
        case Method.basicCancel:
            // The broker cancels a consumer when its queue is deleted or its node goes away.
            if let record = consumers.removeValue(forKey: channel), record.active {
                logger.warning("AMQP consumer cancelled by broker", metadata: ["amqp.queue": "\(record.queue)"])
                record.continuation.finish(
                    throwing: AMQPError(
                        code: .consumerCancelled, operation: "consume \(record.queue)",
                        message: "broker cancelled the consumer (queue deleted or unavailable)"))
            }
        case Method.channelClose:
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            channelClosedByBroker(
                channel,
                error: AMQPError(
                    code: .channelClosed, operation: "channel \(channel)", replyCode: close.reply_code, message: close.reply_text.string))
        case Method.connectionClose:
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            answerConnectionClose()
            connectionLost(
                AMQPError(
                    code: .connectionClosed, operation: "connection", replyCode: close.reply_code, message: close.reply_text.string))
        case Method.connectionBlocked:
            logger.warning("AMQP connection blocked by broker (resource alarm); publishes will wait")
        case Method.connectionUnblocked:
            logger.info("AMQP connection unblocked")
        default:
            logger.debug("AMQP unexpected method", metadata: ["amqp.id": "\(String(method.id, radix: 16))", "amqp.channel": "\(channel)"])
        }
    }

    private func finishOrKeep(_ content: ContentAssembly, channel: UInt16) {
        guard content.isComplete else { return }
        assembling[channel] = nil
        switch content.kind {
        case .returned(let code, let text, let exchange, let routingKey):
            handleReturn(code: code, text: text, exchange: exchange, routingKey: routingKey)
        case .delivery(let tag, let redelivered, let exchange, let routingKey, let consumerTag):
            guard let record = consumers[channel], record.active else {
                // A delivery racing a cancel: hand it back rather than drop it.
                if let connection { _ = amqp_basic_reject(connection, channel, tag, 1) }
                return
            }
            record.settlements.delivered(tag)
            deliveryBatches[channel, default: []].append(
                AMQPDelivery(
                    body: content.body, properties: content.properties, deliveryTag: tag, redelivered: redelivered,
                    exchange: exchange, routingKey: routingKey, consumerTag: consumerTag,
                    channel: channel, epoch: record.epoch, owner: owner))
        }
    }

    private func handOverDeliveries() {
        guard !deliveryBatches.isEmpty else { return }
        for (channel, batch) in deliveryBatches {
            if let record = consumers[channel], record.active { record.continuation.yield(batch) }
        }
        deliveryBatches.removeAll(keepingCapacity: true)
    }
}
