import AMQP
import TributaryCore

extension TributaryClient {
    /// The dead letters of the namespace, oldest first, at most `limit`. Only read: every
    /// message is returned to the queue.
    public func deadLetters(limit: Int = 100, timeout: Duration = .seconds(10)) async throws -> [DeadLetter] {
        try await withDeadLetters(limit: limit, timeout: timeout) { _ in false }.kept
    }

    /// Sends dead letters back to the queue they came from, without the dead-lettering
    /// headers; the others stay. Returns those sent back.
    public func replayDeadLetters(
        limit: Int = 100, timeout: Duration = .seconds(10), where select: @escaping @Sendable (DeadLetter) -> Bool
    ) async throws -> [DeadLetter] {
        try await withDeadLetters(limit: limit, timeout: timeout, take: select).taken
    }

    /// Reads up to `limit` dead letters (as many as the queue holds right now). Those `take`
    /// selects are re-published to their source queue and acknowledged; the rest are returned.
    private func withDeadLetters(
        limit: Int, timeout: Duration, take: @escaping @Sendable (DeadLetter) -> Bool
    ) async throws -> (kept: [DeadLetter], taken: [DeadLetter]) {
        guard let declaration = topology.queues.first(where: { $0.name == topology.deadLetterQueue }) else { return ([], []) }
        let waiting = Int(try await connection.declare(declaration).messageCount)
        let count = min(waiting, limit)
        guard count > 0 else { return ([], []) }
        let consumer = try await connection.consume(queue: topology.deadLetterQueue, prefetch: UInt16(clamping: count))
        let connection = connection
        let result = try await withTimeout(
            timeout, orThrow: TributaryClientError(code: .timeout, message: "could not read \(count) dead letters within \(timeout)")
        ) {
            var kept: [DeadLetter] = []
            var taken: [DeadLetter] = []
            var held: [AMQPDelivery] = []
            for try await delivery in consumer {
                let letter = DeadLetter(delivery)
                if take(letter), let queue = letter.sourceQueue {
                    var properties = delivery.properties
                    properties.headers = properties.headers?.filter { !DeadLetter.deadLetteringHeaders.contains($0.key) }
                    try await connection.publish(delivery.body, routingKey: queue, properties: properties, mandatory: true)
                    try delivery.ack()
                    taken.append(letter)
                } else {
                    held.append(delivery)
                    kept.append(letter)
                }
                if kept.count + taken.count == count { break }
            }
            // Stop the consumer before handing the rest back: a message returned while it still
            // consumes would come straight back to it and sit unsettled in its buffer.
            try? await consumer.cancel()
            for delivery in held { try? delivery.nack(requeue: true) }
            // The broker requeues them after this returns, on another channel: a read right
            // after this one (the console's next page, a replay) would find the queue empty.
            // Done once it counts them ready again, or after a bounded wait if someone took them.
            let deadline = ContinuousClock.now + .seconds(2)
            while !held.isEmpty, ContinuousClock.now < deadline {
                if let ready = try? await connection.declare(declaration).messageCount, Int(ready) >= held.count { break }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return (kept, taken)
        }
        return result
    }
}
