/// A consumer as the connection remembers it, so it can be re-established after a reconnect.
struct ConsumerRecord {
    var queue: String
    var tag: String
    var prefetch: UInt16
    var exclusive: Bool
    var arguments: AMQPTable
    /// Deliveries carry this; an ack whose epoch no longer matches refers to a dead channel.
    var epoch: UInt64
    var continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
}
