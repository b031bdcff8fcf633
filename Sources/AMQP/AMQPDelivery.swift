/// A message delivered to a consumer, to be settled with ``ack()``, ``nack(requeue:)`` or ``reject(requeue:)``.
public struct AMQPDelivery: Sendable {
    enum Acknowledgement: CustomStringConvertible {
        case ack
        case nack(requeue: Bool)
        case reject(requeue: Bool)

        var description: String {
            switch self {
            case .ack: "ack"
            case .nack(let requeue): requeue ? "nack(requeue)" : "nack"
            case .reject(let requeue): requeue ? "reject(requeue)" : "reject"
            }
        }
    }

    public let body: [UInt8]
    public let properties: AMQPProperties
    public let deliveryTag: UInt64
    /// True when the broker has delivered this message before (to this or another consumer).
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    public let consumerTag: String

    let channel: UInt16
    let epoch: UInt64
    let owner: ConnectionThread

    /// Confirms the message was handled; the broker forgets it.
    ///
    /// Settlements are queued to the connection thread in order and sent without waiting
    /// for it: the broker does not answer them, and one that can no longer be delivered
    /// (its channel was lost) changes nothing for the caller, because the broker then
    /// redelivers the message. Throws only if the connection has been closed.
    public func ack() throws(AMQPError) {
        try settle(.ack)
    }

    /// Refuses the message; with `requeue` it goes back to the queue (and comes back redelivered),
    /// otherwise it is dead-lettered or dropped per the queue's policy.
    public func nack(requeue: Bool = true) throws(AMQPError) {
        try settle(.nack(requeue: requeue))
    }

    /// Like ``nack(requeue:)`` but defaults to dead-lettering: for messages that can never be handled.
    public func reject(requeue: Bool = false) throws(AMQPError) {
        try settle(.reject(requeue: requeue))
    }

    private func settle(_ acknowledgement: Acknowledgement) throws(AMQPError) {
        let channel = channel
        let tag = deliveryTag
        let epoch = epoch
        let submitted = owner.submit { core in
            core.acknowledge(acknowledgement, channel: channel, tag: tag, epoch: epoch)
        }
        guard submitted else {
            throw AMQPError(
                code: .shutdown, operation: "\(acknowledgement) delivery \(tag)", message: "connection is closed; the broker will redeliver the message")
        }
    }
}
