/// The deliveries of one consumer, as an async sequence.
///
/// The sequence survives reconnects: after the connection is re-opened the consumer is
/// re-registered and deliveries continue. It ends when ``cancel()`` is called or the
/// connection is closed, and throws if the broker cancels the consumer.
///
/// Like `AsyncStream`, it is meant to be iterated once: deliveries arrive in batches, and a
/// batch handed to one iterator is not seen by another. ``batches`` gives the batches
/// themselves, for consumers that process a batch at a time.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    /// The queue this consumer reads.
    public let queue: String
    /// The consumer tag registered with the broker.
    public let tag: String

    /// Deliveries arrive in batches (all those read in one pass over the socket), so a
    /// busy consumer is woken once per batch rather than once per message.
    let stream: AsyncThrowingStream<[AMQPDelivery], any Error>
    let channel: UInt16
    let owner: ConnectionThread

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncThrowingStream<[AMQPDelivery], any Error>.AsyncIterator
        var batch: [AMQPDelivery] = []
        var index = 0

        public mutating func next() async throws -> AMQPDelivery? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> AMQPDelivery? {
            if index == batch.count {
                guard let next = try await batches.next(isolation: actor) else { return nil }
                batch = next
                index = 0
            }
            defer { index += 1 }
            return batch[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: stream.makeAsyncIterator())
    }

    /// The deliveries as they arrive, in non-empty batches: all those read from the socket in one pass.
    public var batches: AsyncThrowingStream<[AMQPDelivery], any Error> { stream }

    /// Stops new deliveries; messages already received can still be settled.
    public func cancel() async throws {
        let channel = channel
        try await owner.perform("basic.cancel \(queue)") { core throws(AMQPError) in
            try core.cancelConsumer(channel: channel)
        }
    }
}
