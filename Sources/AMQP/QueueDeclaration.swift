/// A queue to declare, with RabbitMQ's common `x-` arguments as typed fields.
public struct QueueDeclaration: Sendable, Hashable {
    /// RabbitMQ's queue implementation.
    public enum QueueType: String, Sendable, Hashable {
        case classic
        case quorum
        case stream
    }

    /// Queue name; empty asks the broker to generate one.
    public var name: String
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    /// `x-queue-type`.
    public var queueType: QueueType?
    /// `x-dead-letter-exchange`.
    public var deadLetterExchange: String?
    /// `x-dead-letter-routing-key`.
    public var deadLetterRoutingKey: String?
    /// `x-delivery-limit` (quorum queues): deliveries after which a message is dead-lettered.
    public var deliveryLimit: Int?
    /// `x-message-ttl` in milliseconds.
    public var messageTTL: Int?
    /// `x-max-length`.
    public var maxLength: Int?
    /// Further arguments, merged after the typed ones.
    public var extraArguments: AMQPTable

    public init(
        name: String,
        durable: Bool = true,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        queueType: QueueType? = nil,
        deadLetterExchange: String? = nil,
        deadLetterRoutingKey: String? = nil,
        deliveryLimit: Int? = nil,
        messageTTL: Int? = nil,
        maxLength: Int? = nil,
        extraArguments: AMQPTable = [:]
    ) {
        self.name = name
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.queueType = queueType
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterRoutingKey = deadLetterRoutingKey
        self.deliveryLimit = deliveryLimit
        self.messageTTL = messageTTL
        self.maxLength = maxLength
        self.extraArguments = extraArguments
    }

    /// The complete argument table sent with `queue.declare`.
    public var arguments: AMQPTable {
        var table: AMQPTable = [:]
        if let queueType { table["x-queue-type"] = .string(queueType.rawValue) }
        if let deadLetterExchange { table["x-dead-letter-exchange"] = .string(deadLetterExchange) }
        if let deadLetterRoutingKey { table["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
        if let deliveryLimit { table["x-delivery-limit"] = .int64(Int64(deliveryLimit)) }
        if let messageTTL { table["x-message-ttl"] = .int64(Int64(messageTTL)) }
        if let maxLength { table["x-max-length"] = .int64(Int64(maxLength)) }
        table.merge(extraArguments) { _, extra in extra }
        return table
    }
}
