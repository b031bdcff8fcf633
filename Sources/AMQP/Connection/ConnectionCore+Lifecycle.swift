import CRabbitMQ
import Foundation
import Logging

extension ConnectionCore {
    // MARK: Opening

    /// The first connection: fails fast, so a wrong address or password is reported at once.
    /// With several endpoints (a cluster), each is tried once, in order.
    func connectInitially() throws(AMQPError) {
        var failures: [AMQPError] = []
        for _ in configuration.endpoints.indices {
            do {
                try openSocket()
                state.connected()
                lastReceive = clock.now
                logger.info(
                    "AMQP connection open",
                    metadata: ["amqp.broker": "\(configuration.redactedURL(for: currentEndpoint))", "amqp.heartbeat": "\(heartbeatSeconds)s"])
                return
            } catch {
                destroySocket()
                failures.append(error)
                state.connectAttemptFailed()
            }
        }
        state.connectGaveUp()
        isFinished = true
        guard failures.count > 1, let last = failures.last else { throw failures[0] }
        throw AMQPError(
            code: last.code, operation: "connect to any of \(configuration.endpoints.map(\.description).joined(separator: ", "))",
            message: failures.map { "\($0.operation): \($0.message)" }.joined(separator: "; "))
    }

    /// Opens a socket to the current endpoint (over TLS for `amqps://`), logs in and opens the
    /// admin and confirm-mode publish channels.
    func openSocket() throws(AMQPError) {
        let endpoint = currentEndpoint
        let operation = "connect to \(endpoint)"
        guard let connection = amqp_new_connection() else {
            throw AMQPError(code: .connectionFailed, operation: operation, message: "out of memory")
        }
        let socket: OpaquePointer
        do throws(AMQPError) {
            socket = try configuration.scheme == .amqps ? tlsSocket(on: connection, operation: operation) : tcpSocket(on: connection, operation: operation)
        } catch {
            amqp_destroy_connection(connection)
            throw error
        }
        var connectTimeout = configuration.connectTimeout.timevalValue
        tlsVerifyError.pointee = 0
        let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &connectTimeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            amqp_destroy_connection(connection)
            throw openError(status, endpoint: endpoint, operation: operation)
        }
        _ = amqp_set_handshake_timeout(connection, &connectTimeout)
        var rpcTimeout = configuration.rpcTimeout.timevalValue
        _ = amqp_set_rpc_timeout(connection, &rpcTimeout)
        self.connection = connection

        // The broker only sends basic.cancel, basic.nack and connection.blocked to clients that
        // say they handle them; librabbitmq merges these with its own capabilities.
        var clientProperties = arena.table([
            "connection_name": .string(configuration.connectionName),
            "product": "Tributary",
            "platform": "Swift",
            "capabilities": .table([
                "consumer_cancel_notify": true, "publisher_confirms": true, "basic.nack": true,
                "connection.blocked": true, "authentication_failure_close": true,
            ]),
        ])
        let heartbeat = Int32(configuration.heartbeat.components.seconds)
        let reply = tributary_login_plain(
            connection, configuration.virtualHost, 0, Int32(configuration.frameMax), heartbeat,
            &clientProperties, configuration.username, configuration.password)
        arena.reset()
        do {
            try check(reply, "login to virtual host '\(configuration.virtualHost)' as '\(configuration.username)'", channel: 0)
        } catch let error where error.code == .connectionLost {
            // Without the authentication_failure_close capability honoured, a refused login looks like a dropped socket.
            throw AMQPError(
                code: .authenticationFailed, operation: error.operation,
                message: "broker closed the connection during login (\(error.message)); check user, password and virtual host")
        }
        heartbeatSeconds = Int(amqp_get_heartbeat(connection))

        try openChannel(Self.adminChannel)
        try openChannel(Self.publishChannel)
        amqp_confirm_select(connection, Self.publishChannel)
        try lastReply("confirm.select", channel: Self.publishChannel)
        state.socketOpened()
    }

    func openChannel(_ channel: UInt16) throws(AMQPError) {
        guard let connection else { throw AMQPError(code: .notConnected, operation: "channel.open", message: "no connection") }
        amqp_channel_open(connection, channel)
        try lastReply("channel.open \(channel)", channel: channel)
    }

    // MARK: Loss and recovery

    func destroySocket() {
        guard let connection else { return }
        amqp_destroy_connection(connection)
        self.connection = nil
    }

    /// Tears the socket down; if the connection was in service, schedules recovery.
    func connectionLost(_ error: AMQPError) {
        destroySocket()
        let action = state.connectionLost(error, now: clock.now)
        if case .none = action { return }
        statusBoard.update { status in
            status.losses += 1
            status.lastError = "\(error)"
        }
        assembling.removeAll()
        channelsWithAcks.removeAll()
        // Cancelled consumers' channels do not come back with the new socket.
        consumers = consumers.filter { $0.value.active }
        switch action {
        case .none:
            return
        case .reconnect(let failing, _):
            for (completion, failure) in failing { completion(.failure(failure)) }
            logger.warning("AMQP connection lost; reconnecting", metadata: ["amqp.error": "\(error)"])
        case .fail(let failing, let operations, let error):
            for (completion, failure) in failing { completion(.failure(failure)) }
            logger.error("AMQP connection lost; reconnect disabled", metadata: ["amqp.error": "\(error)"])
            for record in consumers.values { record.continuation.finish(throwing: error) }
            consumers.removeAll()
            for (waiter, failure) in operations { waiter.fail(failure) }
        }
    }

    func attemptReconnect(attempt: Int) {
        do throws(AMQPError) {
            try openSocket()
            for exchange in topology.exchanges { try declareNow(exchange) }
            for queue in topology.queues { _ = try declareNow(queue) }
            for binding in topology.bindings { try bindNow(binding) }
            for channel in consumers.keys.sorted() {
                try openChannel(channel)
                try startConsumerNow(channel)
            }
            state.reconnected()
            lastReceive = clock.now
            logger.info(
                "AMQP connection recovered",
                metadata: [
                    "amqp.broker": "\(configuration.redactedURL(for: currentEndpoint))", "amqp.attempt": "\(attempt + 1)",
                    "amqp.consumers": "\(consumers.count)",
                    "amqp.waiting": "\(state.waitingCount)",
                ])
            runWaitingOperations()
        } catch {
            destroySocket()
            let delay = state.reconnectFailed(attempt: attempt, now: clock.now)
            logger.warning("AMQP reconnect failed", metadata: ["amqp.attempt": "\(attempt + 1)", "amqp.retry_in": "\(delay)", "amqp.error": "\(error)"])
        }
    }

    /// A broker-initiated `channel.close`: answer it and bring the channel back.
    func channelClosedByBroker(_ channel: UInt16, error: AMQPError) {
        answerChannelClose(channel)
        assembling[channel] = nil
        logger.warning("AMQP channel closed by broker; reopening", metadata: ["amqp.channel": "\(channel)", "amqp.error": "\(error)"])
        if channel == Self.publishChannel {
            // Failed before the reopen, which may itself fail: no publish waits on a dead channel.
            for (completion, failure) in state.publishChannelClosed(error) { completion(.failure(failure)) }
        } else {
            _ = state.nextEpoch()
        }
        do throws(AMQPError) {
            try openChannel(channel)
            if channel == Self.publishChannel {
                amqp_confirm_select(connection, channel)
                try lastReply("confirm.select", channel: channel)
            } else if consumers[channel]?.active == true {
                try startConsumerNow(channel)
            }
        } catch {
            logger.error("AMQP channel could not be reopened", metadata: ["amqp.channel": "\(channel)", "amqp.error": "\(error)"])
        }
    }

    // MARK: The loop

    /// One turn of the thread loop when no job is queued: read frames, wait for the socket
    /// or a job, keep heartbeats flowing, and drive reconnects.
    func service(hasPendingJobs: Bool) {
        let now = clock.now
        expireWaitingOperations(now: now)
        switch phase {
        case .open:
            if readAvailableFrames() || hasPendingJobs || !isOpen { return }
            let interval = heartbeatSeconds > 0 ? min(max(heartbeatSeconds * 250, 50), 1000) : 1000
            let (socketReadable, _) = waitForEvents(socket: connection.map { amqp_get_sockfd($0) } ?? -1, timeoutMilliseconds: interval)
            if socketReadable { lastReceive = clock.now }
            // Called even on timeout: this is where librabbitmq sends its due heartbeat.
            _ = readAvailableFrames()
            if isOpen, heartbeatSeconds > 0, clock.now - lastReceive > .seconds(heartbeatSeconds * 2) {
                connectionLost(
                    AMQPError(
                        code: .connectionLost, operation: "heartbeat",
                        message: "no data from broker for \(heartbeatSeconds * 2)s"))
            }
        case .reconnecting:
            guard let due = state.reconnectAttempt(now: now) else { return }
            if due.due {
                attemptReconnect(attempt: due.attempt)
            } else if !hasPendingJobs {
                let wait = min((due.next - now).wholeMilliseconds + 1, 1000)
                _ = waitForEvents(socket: -1, timeoutMilliseconds: wait)
            }
        case .connecting, .failed, .closed:
            if !hasPendingJobs { _ = waitForEvents(socket: -1, timeoutMilliseconds: 1000) }
        }
    }

    /// Blocks this connection's thread in poll(2) until the socket is readable, a job arrives, or the timeout passes.
    private func waitForEvents(socket: Int32, timeoutMilliseconds: Int) -> (socket: Bool, wake: Bool) {
        guard owner.park() else { return (false, true) }
        defer { owner.unpark() }
        var fds = [
            pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
        ]
        let count = socket >= 0 ? 2 : 1
        let ready = poll(&fds, nfds_t(count), Int32(timeoutMilliseconds))
        guard ready > 0 else { return (false, false) }
        let wake = fds[0].revents != 0
        if wake {
            var value: UInt64 = 0
            _ = read(wakeDescriptor, &value, 8)
        }
        return (count == 2 && fds[1].revents != 0, wake)
    }

    // MARK: Closing

    func shutdown() {
        guard !isFinished else { return }
        flushAcks()
        for record in consumers.values { record.continuation.finish() }
        consumers.removeAll()
        if let connection, isOpen {
            // Bounded by the RPC timeout, so a vanished broker can't hold shutdown hostage.
            _ = amqp_connection_close(connection, AMQP_REPLY_SUCCESS)
        }
        destroySocket()
        let owed = state.shutdown()
        for (completion, failure) in owed.publishes { completion(.failure(failure)) }
        for (waiter, failure) in owed.operations { waiter.fail(failure) }
        isFinished = true
        statusBoard.finish()
        logger.info("AMQP connection closed")
    }
}
