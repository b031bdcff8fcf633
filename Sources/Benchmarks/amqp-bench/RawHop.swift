import AMQP
import CRabbitMQ
import Foundation
import Glibc
import Synchronization

/// The ceiling the pipeline is measured against: a request-reply hop written directly on
/// librabbitmq, three connections on three threads. A requester publishes persistent tasks
/// with streamed confirms to a queue; a worker consumes each, publishes a persistent reply
/// (confirms streamed, acked in batches) and acks the task; a collector consumes and acks the
/// replies. Nothing is decoded or stored: it is what the broker and the C library can do.
enum RawHop {
    static func run(
        _ config: AMQPConfiguration, count: Int, tasks: String, replies: String, body: [UInt8], window: Int, prefetch: UInt16,
        taskRoute: HopRoute? = nil, replyRoute: HopRoute? = nil, rate: Double? = nil
    ) throws -> Double {
        let requester = try RawClient(config)
        let worker = try RawClient(config)
        let collector = try RawClient(config)
        defer {
            requester.close()
            worker.close()
            collector.close()
        }
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        func thread(_ name: String, _ body: @escaping @Sendable () throws -> Void) {
            done.enter()
            let thread = Thread {
                do { try body() } catch { failures.withLock { $0.append("\(name): \(error)") } }
                done.leave()
            }
            thread.start()
        }
        let start = ContinuousClock.now
        let (requesterBox, workerBox, collectorBox) = (Box(requester), Box(worker), Box(collector))
        thread("collector") { try collectorBox.client.consume(count: count, queue: replies, prefetch: prefetch) }
        thread("worker") { try workerBox.client.relay(count: count, from: tasks, to: replyRoute ?? .queue(replies), prefetch: prefetch) }
        thread("requester") { try requesterBox.client.publish(count: count, route: taskRoute ?? .queue(tasks), body: body, window: window, rate: rate) }
        done.wait()
        let elapsed = ContinuousClock.now - start
        if let failure = failures.withLock({ $0.first }) { throw BenchmarkError(failure) }
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// A connection handed to the one thread that uses it.
    final class Box: @unchecked Sendable {
        let client: RawClient
        init(_ client: RawClient) { self.client = client }
    }
}

extension RawClient {
    /// Consumes `count` tasks; for each, publishes a persistent reply on a confirmed channel and
    /// acks the task. Confirms are drained as they come.
    func relay(count: Int, from source: String, to destination: HopRoute, prefetch: UInt16) throws {
        amqp_confirm_select(connection, 1)
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: confirm.select failed") }
        amqp_basic_qos(connection, 1, 0, prefetch, 0)
        source.withCString { name in
            _ = amqp_basic_consume(connection, 1, amqp_cstring_bytes(name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        }
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: consume failed") }
        let arena = CArena()
        var relayed = 0
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        try destination.exchange.withCString { exchange in
            try destination.routingKey.withCString { routingKey in
                while relayed < count {
                    var envelope = amqp_envelope_t()
                    amqp_maybe_release_buffers(connection)
                    let reply = amqp_consume_message(connection, &envelope, &timeout, 0)
                    if reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION, reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue {
                        // A publisher confirm arrived between deliveries: take it off the wire.
                        var frame = amqp_frame_t()
                        guard amqp_simple_wait_frame(connection, &frame) == AMQP_STATUS_OK.rawValue else { throw BenchmarkError("raw: wait failed") }
                        continue
                    }
                    guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: relay failed after \(relayed)") }
                    arena.reset()
                    var properties = destination.basicProperties(in: arena, index: relayed)
                    let status = amqp_basic_publish(
                        connection, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routingKey), destination.mandatory ? 1 : 0, 0, &properties,
                        envelope.message.body)
                    guard status == AMQP_STATUS_OK.rawValue else { throw BenchmarkError("raw: reply publish failed") }
                    amqp_basic_ack(connection, 1, envelope.delivery_tag, 0)
                    amqp_destroy_envelope(&envelope)
                    relayed += 1
                }
            }
        }
    }
}
