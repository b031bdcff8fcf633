/// An exchange to declare.
public struct ExchangeDeclaration: Sendable, Hashable {
    /// The routing algorithm of an exchange.
    public struct Kind: Sendable, Hashable, ExpressibleByStringLiteral {
        public var name: String
        public init(_ name: String) { self.name = name }
        public init(stringLiteral value: String) { self.name = value }

        public static let direct = Kind("direct")
        public static let fanout = Kind("fanout")
        public static let topic = Kind("topic")
        public static let headers = Kind("headers")
    }

    public var name: String
    public var kind: Kind
    public var durable: Bool
    public var autoDelete: Bool
    public var `internal`: Bool
    public var arguments: AMQPTable

    public init(
        name: String,
        kind: Kind = .direct,
        durable: Bool = true,
        autoDelete: Bool = false,
        internal: Bool = false,
        arguments: AMQPTable = [:]
    ) {
        self.name = name
        self.kind = kind
        self.durable = durable
        self.autoDelete = autoDelete
        self.internal = `internal`
        self.arguments = arguments
    }
}
