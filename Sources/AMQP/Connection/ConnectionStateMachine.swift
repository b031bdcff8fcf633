/// What a connection is doing and owes its callers, free of sockets and librabbitmq.
///
/// ``ConnectionCore`` feeds it what happened (a socket opened, a frame arrived, a read
/// failed) and performs what it answers: run or fail an operation, resolve publishes, wait
/// for a reconnect. Keeping the decisions here lets tests drive reconnects, confirms, nacks
/// and channel closes in any order without a broker. `Waiter` and `Publish` are what the
/// caller attaches to a waiting operation and to a publish (continuations in production,
/// plain values in tests).
struct ConnectionStateMachine<Waiter, Publish> {
    enum Phase {
        case connecting
        case open
        case reconnecting(attempt: Int, next: ContinuousClock.Instant)
        case failed(AMQPError)
        case closed
    }

    struct Settings {
        var reconnect: Bool
        var initialDelay: Duration
        var maximumDelay: Duration
        var operationTimeout: Duration
        var endpointCount: Int
        /// Consecutive refusals after which the connection is taken for stuck and re-opened.
        var nackStreakLimit = 200

        init(_ configuration: AMQPConfiguration) {
            reconnect = configuration.reconnect.enabled
            initialDelay = configuration.reconnect.initialDelay
            maximumDelay = configuration.reconnect.maximumDelay
            operationTimeout = configuration.operationTimeout
            endpointCount = configuration.endpoints.count
        }
    }

    struct PendingPublish {
        var exchange: String
        var routingKey: String
        var mandatory: Bool
        var returned: (code: UInt16, text: String)?
        var payload: Publish
    }

    private struct WaitingOperation {
        var operation: String
        var deadline: ContinuousClock.Instant
        var waiter: Waiter
    }

    let settings: Settings
    private(set) var phase: Phase = .connecting {
        didSet { phaseChanges &+= 1 }
    }
    /// Counts phase changes, so an observer can tell cheaply whether to report the status.
    private(set) var phaseChanges = 0
    /// Bumped whenever a socket or channel is replaced; deliveries carry it so that a late
    /// settlement, meant for a channel that is gone, is recognised and dropped.
    private(set) var epoch: UInt64 = 0
    private(set) var recoveries = 0
    /// Which endpoint the next connection attempt goes to (modulo their count).
    private(set) var endpointIndex = 0
    private var waiting: [WaitingOperation] = []
    private var nackStreak = 0
    private var nextPublishTag: UInt64 = 1
    private var oldestUnconfirmed: UInt64 = 1
    private var pending: [UInt64: PendingPublish] = [:]

    init(settings: Settings) { self.settings = settings }

    var isOpen: Bool {
        if case .open = phase { return true }
        return false
    }

    var waitingCount: Int { waiting.count }
    var pendingPublishCount: Int { pending.count }

    // MARK: Opening

    /// A socket is logged in with a fresh confirm channel, whose delivery tags restart at 1.
    mutating func socketOpened() {
        nextPublishTag = 1
        oldestUnconfirmed = 1
    }

    /// The first connection is open.
    mutating func connected() { phase = .open }

    /// An endpoint of the first connection refused; the next attempt goes to the next one.
    mutating func connectAttemptFailed() { endpointIndex += 1 }

    /// Every endpoint of the first connection refused: nothing will be retried.
    mutating func connectGaveUp() { phase = .closed }

    // MARK: Operations

    enum OperationAction {
        case run(Waiter)
        /// Kept until the connection is open again or its deadline passes.
        case wait
        case fail(Waiter, AMQPError)
    }

    mutating func whenOpen(_ operation: String, _ waiter: Waiter, now: ContinuousClock.Instant) -> OperationAction {
        switch phase {
        case .open:
            return .run(waiter)
        case .connecting, .reconnecting:
            waiting.append(WaitingOperation(operation: operation, deadline: now + settings.operationTimeout, waiter: waiter))
            return .wait
        case .failed(let error):
            return .fail(waiter, AMQPError(code: .notConnected, operation: operation, message: "connection failed: \(error)"))
        case .closed:
            return .fail(waiter, AMQPError(code: .shutdown, operation: operation, message: "connection is closed"))
        }
    }

    /// The next waiting operation to run, oldest first, while the connection is open; the
    /// caller runs it before asking again, so a loss during one keeps the rest waiting.
    mutating func nextReadyOperation() -> Waiter? {
        guard isOpen, !waiting.isEmpty else { return nil }
        return waiting.removeFirst().waiter
    }

    /// The waiting operations whose deadline has passed, to be failed.
    mutating func expireOperations(now: ContinuousClock.Instant, endpoint: String) -> [(Waiter, AMQPError)] {
        guard waiting.contains(where: { $0.deadline <= now }) else { return [] }
        var expired: [(Waiter, AMQPError)] = []
        let timeout = settings.operationTimeout
        waiting.removeAll { operation in
            guard operation.deadline <= now else { return false }
            expired.append(
                (
                    operation.waiter,
                    AMQPError(
                        code: .notConnected, operation: operation.operation,
                        message: "no connection to \(endpoint) within \(timeout)")
                ))
            return true
        }
        return expired
    }

    // MARK: Loss and recovery

    enum LossAction {
        /// The connection was not in service (a failure while opening): nothing to settle.
        case none
        /// Fail these publishes and try again at `at`.
        case reconnect(failing: [(Publish, AMQPError)], at: ContinuousClock.Instant)
        /// Reconnect is off: fail the publishes, the waiting operations and the consumers.
        case fail(failing: [(Publish, AMQPError)], operations: [(Waiter, AMQPError)], error: AMQPError)
    }

    mutating func connectionLost(_ error: AMQPError, now: ContinuousClock.Instant) -> LossAction {
        guard isOpen else { return .none }
        epoch &+= 1
        // In a cluster, the node that dropped us is the least likely to take us back first.
        endpointIndex += 1
        nackStreak = 0
        let failing = takePendingPublishes(
            AMQPError(code: .connectionLost, operation: "publish", message: "connection lost before the broker confirmed the message (\(error))"))
        guard settings.reconnect else {
            phase = .failed(error)
            return .fail(failing: failing, operations: takeWaiting(.notConnected, "connection lost and reconnect is disabled: \(error)"), error: error)
        }
        phase = .reconnecting(attempt: 0, next: now + settings.initialDelay)
        return .reconnect(failing: failing, at: now + settings.initialDelay)
    }

    /// Whether a reconnect attempt is due now; `nil` when the connection is not reconnecting.
    func reconnectAttempt(now: ContinuousClock.Instant) -> (attempt: Int, due: Bool, next: ContinuousClock.Instant)? {
        guard case .reconnecting(let attempt, let next) = phase else { return nil }
        return (attempt, now >= next, next)
    }

    /// A reconnect restored the socket, topology and consumers; waiting operations may run.
    mutating func reconnected() {
        recoveries += 1
        phase = .open
    }

    /// A reconnect attempt failed: the next one goes to the next endpoint after a doubling wait.
    mutating func reconnectFailed(attempt: Int, now: ContinuousClock.Instant) -> Duration {
        endpointIndex += 1
        let delay = min(settings.initialDelay * (1 << min(attempt + 1, 16)), settings.maximumDelay)
        phase = .reconnecting(attempt: attempt + 1, next: now + delay)
        return delay
    }

    // MARK: Channels and consumers

    /// A new epoch for a consumer (re)started or a channel replaced.
    mutating func nextEpoch() -> UInt64 {
        epoch &+= 1
        return epoch
    }

    /// The broker closed the confirm channel: its unconfirmed publishes will never be
    /// confirmed, and the reopened channel numbers its tags from 1 again.
    mutating func publishChannelClosed(_ error: AMQPError) -> [(Publish, AMQPError)] {
        epoch &+= 1
        let failing = takePendingPublishes(error)
        socketOpened()
        return failing
    }

    // MARK: Publishing

    /// A message sent on the confirm channel; its tag is the next the broker will confirm.
    @discardableResult
    mutating func published(exchange: String, routingKey: String, mandatory: Bool, _ payload: Publish) -> UInt64 {
        let tag = nextPublishTag
        pending[tag] = PendingPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory, payload: payload)
        nextPublishTag += 1
        return tag
    }

    struct ConfirmOutcome {
        var resolved: [(Publish, Result<Void, AMQPError>)] = []
        /// Set when refusals have gone on so long that the connection must be re-opened.
        var stuck: AMQPError?
    }

    /// A `basic.ack` or `basic.nack` for `tag` (and, if `multiple`, every tag before it).
    mutating func confirm(tag: UInt64, multiple: Bool, nack: Bool) -> ConfirmOutcome {
        var outcome = ConfirmOutcome()
        if multiple {
            var current = oldestUnconfirmed
            while current <= tag {
                if let publish = pending.removeValue(forKey: current) { outcome.resolved.append((publish.payload, Self.result(of: publish, nack: nack))) }
                current += 1
            }
        } else if let publish = pending.removeValue(forKey: tag) {
            outcome.resolved.append((publish.payload, Self.result(of: publish, nack: nack)))
        }
        while oldestUnconfirmed < nextPublishTag, pending[oldestUnconfirmed] == nil { oldestUnconfirmed += 1 }
        guard nack else {
            nackStreak = 0
            return outcome
        }
        nackStreak += 1
        // Seen after a cluster node stops gracefully: a connection recovered to another node
        // has every publish to a quorum queue refused, for as long as it lives, while a new
        // connection is served. Refusals without end mean the connection is stuck; re-opening
        // it (to the next node) unsticks it. Publishes in flight fail and are retried.
        if nackStreak >= settings.nackStreakLimit {
            nackStreak = 0
            outcome.stuck = AMQPError(
                code: .connectionLost, operation: "publish",
                message: "the broker refused \(settings.nackStreakLimit) publishes in a row (basic.nack); re-opening the connection")
        }
        return outcome
    }

    /// Matches a `basic.return` to its publish: the broker returns before it confirms, and
    /// routing is deterministic, so it is the oldest unconfirmed mandatory publish to that
    /// destination. False when no publish matches.
    mutating func returned(code: UInt16, text: String, exchange: String, routingKey: String) -> Bool {
        var tag = oldestUnconfirmed
        while tag < nextPublishTag {
            if var publish = pending[tag], publish.mandatory, publish.returned == nil, publish.exchange == exchange, publish.routingKey == routingKey {
                publish.returned = (code, text)
                pending[tag] = publish
                return true
            }
            tag += 1
        }
        return false
    }

    private static func result(of publish: PendingPublish, nack: Bool) -> Result<Void, AMQPError> {
        let operation = "publish to '\(publish.exchange)' (\(publish.routingKey))"
        if nack { return .failure(AMQPError(code: .publishNacked, operation: operation, message: "broker refused the message (basic.nack)")) }
        if let returned = publish.returned {
            return .failure(AMQPError(code: .unroutable, operation: operation, replyCode: returned.code, message: returned.text))
        }
        return .success(())
    }

    // MARK: Closing

    /// The caller closes the connection: everything still owed fails.
    mutating func shutdown() -> (publishes: [(Publish, AMQPError)], operations: [(Waiter, AMQPError)]) {
        phase = .closed
        let publishes = takePendingPublishes(
            AMQPError(code: .shutdown, operation: "publish", message: "connection closed before the broker confirmed the message"))
        return (publishes, takeWaiting(.shutdown, "connection closed"))
    }

    private mutating func takePendingPublishes(_ error: AMQPError) -> [(Publish, AMQPError)] {
        let taken = pending.sorted { $0.key < $1.key }.map { ($0.value.payload, error) }
        pending.removeAll()
        return taken
    }

    private mutating func takeWaiting(_ code: AMQPError.Code, _ message: String) -> [(Waiter, AMQPError)] {
        let taken = waiting.map { ($0.waiter, AMQPError(code: code, operation: $0.operation, message: message)) }
        waiting.removeAll()
        return taken
    }
}
