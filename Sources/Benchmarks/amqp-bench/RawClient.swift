import AMQP
import CRabbitMQ
import Foundation
import Glibc

/// The baseline: librabbitmq driven directly, the way a plain C client would, with no
/// threads, tasks or continuations in between. Our layer is measured against this.
struct RawClient {
    let connection: amqp_connection_state_t

    init(_ config: AMQPConfiguration) throws {
        let host = config.host
        let port = config.port
        let user = config.username
        let password = config.password
        let vhost = config.virtualHost
        guard let connection = amqp_new_connection(), let socket = amqp_tcp_socket_new(connection) else {
            throw BenchmarkError("raw: cannot allocate a connection")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        guard amqp_socket_open_noblock(socket, host, Int32(port), &timeout) == AMQP_STATUS_OK.rawValue else {
            throw BenchmarkError("raw: cannot connect to \(host):\(port)")
        }
        var properties = amqp_table_t(num_entries: 0, entries: nil)
        let reply = tributary_login_plain(connection, vhost, 0, 131_072, 30, &properties, user, password)
        guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: login failed") }
        amqp_channel_open(connection, 1)
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: channel.open failed") }
        self.connection = connection
    }

    func close() {
        amqp_connection_close(connection, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(connection)
    }

    /// Publishes persistent messages with confirms streamed in a window, as fast as possible.
    func publish(count: Int, queue: String, body: [UInt8], window: Int) throws {
        try publish(count: count, route: .queue(queue), body: body, window: window)
    }

    /// The same along `route`: an exchange and routing key, the mandatory flag, and plain or
    /// Tributary-shaped properties.
    /// With `rate`, publishes no faster than that many messages a second.
    func publish(count: Int, route: HopRoute, body: [UInt8], window: Int, rate: Double? = nil) throws {
        amqp_confirm_select(connection, 1)
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: confirm.select failed") }
        let arena = CArena()
        var confirmed: UInt64 = 0
        var published: UInt64 = 0
        let start = ContinuousClock.now
        try route.exchange.withCString { exchange in
            try route.routingKey.withCString { routingKey in
                try body.withUnsafeBytes { raw in
                    let bytes = amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress))
                    while confirmed < UInt64(count) {
                        while published < UInt64(count), published - confirmed < UInt64(window) {
                            if let rate {
                                let due = start + .seconds(Double(published) / rate)
                                if due > ContinuousClock.now {
                                    Thread.sleep(forTimeInterval: Double((due - ContinuousClock.now).components.attoseconds) / 1e18)
                                }
                            }
                            arena.reset()
                            var properties = route.basicProperties(in: arena, index: Int(published))
                            let status = amqp_basic_publish(
                                connection, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routingKey), route.mandatory ? 1 : 0, 0, &properties,
                                bytes)
                            guard status == AMQP_STATUS_OK.rawValue else { throw BenchmarkError("raw: publish failed") }
                            published += 1
                        }
                        var frame = amqp_frame_t()
                        guard amqp_simple_wait_frame(connection, &frame) == AMQP_STATUS_OK.rawValue else { throw BenchmarkError("raw: wait failed") }
                        if frame.frame_type == AMQP_FRAME_METHOD, frame.payload.method.id == 0x003C_0050 {
                            let ack = frame.payload.method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                            if ack.multiple != 0 { confirmed = max(confirmed, ack.delivery_tag) } else { confirmed += 1 }
                        }
                        amqp_maybe_release_buffers(connection)
                    }
                }
            }
        }
    }

    /// Consumes `count` messages, acking each one individually.
    func consume(count: Int, queue: String, prefetch: UInt16) throws {
        amqp_basic_qos(connection, 1, 0, prefetch, 0)
        queue.withCString { name in
            _ = amqp_basic_consume(connection, 1, amqp_cstring_bytes(name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        }
        guard amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: consume failed") }
        var received = 0
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        while received < count {
            var envelope = amqp_envelope_t()
            amqp_maybe_release_buffers(connection)
            let reply = amqp_consume_message(connection, &envelope, &timeout, 0)
            guard reply.reply_type == AMQP_RESPONSE_NORMAL else { throw BenchmarkError("raw: consume_message failed after \(received)") }
            amqp_basic_ack(connection, 1, envelope.delivery_tag, 0)
            amqp_destroy_envelope(&envelope)
            received += 1
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
