import CRabbitMQ
import Foundation
import Logging

/// The state of one logical connection, confined to its ``ConnectionThread``.
///
/// Survives reconnects: topology, consumers and waiting operations are kept here and
/// replayed on every new socket.
final class ConnectionCore {
    /// What a waiting operation does once the connection is open, or when it cannot be.
    struct WaitingRun {
        var run: (ConnectionCore) -> Void
        var fail: (AMQPError) -> Void
    }
    typealias StateMachine = ConnectionStateMachine<WaitingRun, (Result<Void, AMQPError>) -> Void>
    typealias Phase = StateMachine.Phase

    static let adminChannel: UInt16 = 1
    static let publishChannel: UInt16 = 2

    let configuration: AMQPConfiguration
    var logger: Logger
    let owner: ConnectionThread
    var wakeDescriptor: Int32 { owner.wakeDescriptor }
    let arena = CArena()
    let clock = ContinuousClock()

    var connection: amqp_connection_state_t?
    /// Phase, waiting operations, unconfirmed publishes and epochs: every decision that needs
    /// no socket (see ``ConnectionStateMachine``).
    var state: StateMachine {
        didSet {
            guard state.phaseChanges != reportedPhaseChanges else { return }
            reportedPhaseChanges = state.phaseChanges
            postStatus()
        }
    }
    private var reportedPhaseChanges = 0
    let statusBoard: StatusBoard
    var isFinished = false
    var lastReceive: ContinuousClock.Instant
    var heartbeatSeconds: Int = 0
    /// Where the TLS context notes the first certificate error of a handshake (see the C shim).
    let tlsVerifyError = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    var topology = TopologyRecord()
    var consumers: [UInt16: ConsumerRecord] = [:]
    var nextConsumerChannel: UInt16 = 3
    var channelsWithAcks: Set<UInt16> = []
    /// Deliveries read in the current pass, handed to each consumer as one batch.
    var deliveryBatches: [UInt16: [AMQPDelivery]] = [:]
    var assembling: [UInt16: ContentAssembly] = [:]

    init(configuration: AMQPConfiguration, logger: Logger, owner: ConnectionThread, statusBoard: StatusBoard) {
        self.statusBoard = statusBoard
        self.configuration = configuration
        self.logger = logger
        self.owner = owner
        self.state = StateMachine(settings: .init(configuration))
        self.lastReceive = clock.now
        tlsVerifyError.initialize(to: 0)
    }

    deinit {
        tlsVerifyError.deallocate()
    }

    var currentEndpoint: AMQPConfiguration.Endpoint {
        let endpoints = configuration.endpoints
        return endpoints[state.endpointIndex % endpoints.count]
    }

    var phase: Phase { state.phase }
    var isOpen: Bool { state.isOpen }
    var recoveries: Int { state.recoveries }

    /// Only open and not-open matter to readers; the reconnect attempts between are logged.
    private func postStatus() {
        let isOpen = self.isOpen
        let recoveries = self.recoveries
        var lost: String?
        if case .failed(let error) = phase { lost = "\(error)" }
        if case .closed = phase { lost = "connection closed" }
        statusBoard.update { status in
            status.isOpen = isOpen
            status.recoveries = recoveries
            if let lost { status.lastError = lost }
        }
    }

    // MARK: Running operations

    /// Runs `run` now when the connection is open, or once it is re-opened, or fails it at the deadline.
    func whenOpen(_ operation: String, run: @escaping (ConnectionCore) -> Void, fail: @escaping (AMQPError) -> Void) {
        switch state.whenOpen(operation, WaitingRun(run: run, fail: fail), now: clock.now) {
        case .run(let waiter): waiter.run(self)
        case .wait: break
        case .fail(let waiter, let error): waiter.fail(error)
        }
    }

    func runWaitingOperations() {
        while let waiter = state.nextReadyOperation() { waiter.run(self) }
    }

    func expireWaitingOperations(now: ContinuousClock.Instant) {
        for (waiter, error) in state.expireOperations(now: now, endpoint: "\(configuration.host):\(configuration.port)") { waiter.fail(error) }
    }

    // MARK: Replies

    /// Turns a librabbitmq reply into an error, answering the broker's close if there was one.
    ///
    /// A library-level failure leaves the socket in an unknown state, so it is treated as a
    /// lost connection; a channel close reopens that channel so later operations can run.
    func check(_ reply: amqp_rpc_reply_t, _ operation: String, channel: UInt16) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            if reply.reply.id == 0x0014_0028, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                let error = AMQPError(code: .channelClosed, operation: operation, replyCode: close.reply_code, message: close.reply_text.string)
                channelClosedByBroker(channel, error: error)
                throw error
            }
            if reply.reply.id == 0x000A_0032, let decoded = reply.reply.decoded {
                let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                let code: AMQPError.Code = close.reply_code == 403 || close.reply_code == 530 ? .authenticationFailed : .connectionClosed
                let error = AMQPError(code: code, operation: operation, replyCode: close.reply_code, message: close.reply_text.string)
                answerConnectionClose()
                connectionLost(error)
                throw error
            }
            let error = AMQPError(code: .protocolError, operation: operation, message: "unexpected server method 0x\(String(reply.reply.id, radix: 16))")
            connectionLost(error)
            throw error
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            let status = reply.library_error
            let code: AMQPError.Code = status == AMQP_STATUS_TIMEOUT.rawValue ? .timeout : .connectionLost
            let error = AMQPError(code: code, operation: operation, message: String(cString: amqp_error_string2(status)))
            connectionLost(error)
            throw error
        default:
            let error = AMQPError(code: .protocolError, operation: operation, message: "missing reply")
            connectionLost(error)
            throw error
        }
    }

    func checkStatus(_ status: Int32, _ operation: String) throws(AMQPError) {
        guard status != AMQP_STATUS_OK.rawValue else { return }
        let error = AMQPError(code: .connectionLost, operation: operation, message: String(cString: amqp_error_string2(status)))
        connectionLost(error)
        throw error
    }

    func lastReply(_ operation: String, channel: UInt16) throws(AMQPError) {
        guard let connection else { throw AMQPError(code: .notConnected, operation: operation, message: "no connection") }
        try check(amqp_get_rpc_reply(connection), operation, channel: channel)
    }

    func answerConnectionClose() {
        guard let connection else { return }
        var ok = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(connection, 0, 0x000A_0033, &ok)
    }

    func answerChannelClose(_ channel: UInt16) {
        guard let connection else { return }
        var ok = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(connection, channel, 0x0014_0029, &ok)
    }
}
