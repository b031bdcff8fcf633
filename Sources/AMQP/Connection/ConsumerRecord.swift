/// A consumer as the connection remembers it, so it can be re-established after a reconnect.
///
/// A class so the per-delivery bookkeeping mutates in place rather than copying the
/// prefetch-sized tag list through the dictionary on every message.
final class ConsumerRecord {
    var queue: String
    var tag: String
    var prefetch: UInt16
    var exclusive: Bool
    var arguments: AMQPTable
    /// Deliveries carry this; an ack whose epoch no longer matches refers to a dead channel.
    var epoch: UInt64
    var continuation: AsyncThrowingStream<[AMQPDelivery], any Error>.Continuation
    /// False once cancelled: the channel stays open only so handed-out deliveries can be settled.
    var active = true
    var settlements = SettlementBatcher()

    init(
        queue: String, tag: String, prefetch: UInt16, exclusive: Bool, arguments: AMQPTable,
        continuation: AsyncThrowingStream<[AMQPDelivery], any Error>.Continuation
    ) {
        self.queue = queue
        self.tag = tag
        self.prefetch = prefetch
        self.exclusive = exclusive
        self.arguments = arguments
        self.epoch = 0
        self.continuation = continuation
    }
}
