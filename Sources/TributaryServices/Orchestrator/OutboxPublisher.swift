import AMQP
import CoreMetrics
import Logging
import Metrics
import TributaryClient
import TributaryCore
import TributaryStore

/// Publishes outbox entries with confirms, many in flight, and removes them from the store
/// once confirmed (in batches). A failed publish is retried with backoff until it succeeds:
/// the entry stays in the outbox meanwhile, so not even a crash loses it.
actor OutboxPublisher {
    private let connection: AMQPConnection
    private let store: any ExperimentStore
    private let topology: Topology
    private let logger: Logger
    private let window: Int
    private let pendingGauge: Gauge?
    private let onConfirmed: @Sendable (OutboundMessage) -> Void
    private let onRefused: @Sendable (OutboundMessage, AMQPError) -> Void
    /// Entries in the store's outbox: enqueued and not yet removed after their confirm.
    private var pending = 0

    private var queued: [OutboxEntry] = []
    private var queuedHead = 0
    private var inFlight = 0
    private var confirmed: [Int64] = []
    private var flushing = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - pendingGauge: set to the outbox's size whenever it changes.
    ///   - onConfirmed: called with each message once the broker has confirmed it.
    ///   - onRefused: called with a message the broker refuses for good (it is dropped from the outbox).
    init(
        connection: AMQPConnection, store: any ExperimentStore, topology: Topology, logger: Logger, window: Int = 1_000,
        pendingGauge: Gauge? = nil, onConfirmed: @escaping @Sendable (OutboundMessage) -> Void = { _ in },
        onRefused: @escaping @Sendable (OutboundMessage, AMQPError) -> Void = { _, _ in }
    ) {
        self.connection = connection
        self.store = store
        self.topology = topology
        self.logger = logger
        self.window = window
        self.pendingGauge = pendingGauge
        self.onConfirmed = onConfirmed
        self.onRefused = onRefused
    }

    /// How many times in a row the broker may close the channel over the same message with
    /// PRECONDITION_FAILED before the refusal counts as final. A channel close fails every
    /// publish in flight on it, so one refusal may be another message's; the innocent ones
    /// pass when sent again, the guilty one is refused each time.
    static let refusalsBeforeFinal = 3

    /// The broker refused the message itself (too large for its `max_message_size`, or
    /// another precondition it will never meet): sending it again cannot succeed.
    static func isRefusal(_ error: AMQPError) -> Bool {
        (error.code == .channelClosed || error.code == .connectionClosed) && error.replyCode == 406
    }

    /// Whether a refusal is this message's own. RabbitMQ names the size of the message it
    /// refuses for size ("message size 17825792 is larger than configured max size …"), so a
    /// message of another size only shared the closed channel; other refusals name no
    /// message, and count for every publish they failed.
    static func refusal(_ error: AMQPError, blames message: OutboundMessage) -> Bool {
        guard isRefusal(error) else { return false }
        guard let range = error.message.firstRange(of: "message size ") else { return true }
        let digits = error.message[range.upperBound...].prefix { $0.isNumber }
        return Int(digits).map { $0 == message.body.count } ?? true
    }

    func enqueue(_ entries: [OutboxEntry]) {
        guard !entries.isEmpty else { return }
        pending += entries.count
        pendingGauge?.record(pending)
        queued.append(contentsOf: entries)
        pump()
    }

    /// Returns once everything enqueued so far is confirmed and removed from the store.
    func waitUntilIdle() async {
        guard !isIdle else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private var isIdle: Bool { queuedHead == queued.count && inFlight == 0 && confirmed.isEmpty && !flushing }

    private func pump() {
        while inFlight < window, queuedHead < queued.count {
            let entry = queued[queuedHead]
            queuedHead += 1
            inFlight += 1
            Task { await publish(entry) }
        }
        if queuedHead == queued.count {
            queued.removeAll(keepingCapacity: true)
            queuedHead = 0
        }
    }

    private func publish(_ entry: OutboxEntry) async {
        let message = entry.message
        var delay = Duration.milliseconds(50)
        var refusals = 0
        while true {
            do {
                try await connection.publish(
                    message.body, exchange: topology.exchange(for: message.destination), routingKey: message.routingKey,
                    properties: .contract(
                        messageID: message.messageID, correlationID: message.correlationID, type: message.type, headers: message.headers,
                        traceHeaders: message.traceHeaders),
                    // A task nobody can receive is an error; an event nobody follows is normal.
                    mandatory: message.destination == .tasks)
                onConfirmed(message)
                break
            } catch  where error.code == .invalidArgument {
                // This message can never be sent as it is: retrying would loop for ever. Drop it
                // loudly. A task dropped here is a lost attempt: its deadline re-sends it, and
                // its batch fails for good if every attempt is lost the same way.
                logger.error(
                    "outbox message can never be published; dropped",
                    metadata: .tributary([.messageID: "\(message.messageID)", .experimentID: "\(message.correlationID)", .error: "\(error)"]))
                break
            } catch  where Self.refusal(error, blames: message) && refusals + 1 >= Self.refusalsBeforeFinal {
                logger.error(
                    "broker refuses outbox message for good; dropped",
                    metadata: .tributary([
                        .messageID: "\(message.messageID)", .experimentID: "\(message.correlationID)", .count: "\(message.body.count)",
                        .error: "\(error)",
                    ]))
                onRefused(message, error)
                break
            } catch {
                if Self.refusal(error, blames: message) { refusals += 1 } else if !Self.isRefusal(error) { refusals = 0 }
                logger.warning(
                    "outbox publish failed; retrying",
                    metadata: .tributary([.messageID: "\(message.messageID)", .error: "\(error)", .retryIn: "\(delay)"]))
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        inFlight -= 1
        confirmed.append(entry.id)
        pump()
        await flush()
    }

    private func flush() async {
        guard !flushing else { return }
        flushing = true
        while !confirmed.isEmpty {
            let ids = confirmed
            confirmed.removeAll(keepingCapacity: true)
            do {
                try await store.removeFromOutbox(ids)
                pending -= ids.count
                pendingGauge?.record(pending)
            } catch {
                // Left in the outbox, they are published again after a restart: a duplicate, never a loss.
                logger.error("could not remove confirmed outbox entries", metadata: .tributary([.count: "\(ids.count)", .error: "\(error)"]))
            }
        }
        flushing = false
        if isIdle {
            let waiters = idleWaiters
            idleWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }
}
