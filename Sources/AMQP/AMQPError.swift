/// An error raised by the AMQP layer.
///
/// Carries the operation that failed and, when the broker closed a channel or the
/// connection, its reply code and text. Never contains credentials.
public struct AMQPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; stable for programmatic handling.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURI, connectionFailed, authenticationFailed, timeout
            case channelClosed, connectionClosed, connectionLost, notConnected
            case publishNacked, unroutable, consumerCancelled
            case shutdown, unsupported, protocolError, invalidArgument, tlsFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The AMQP URI could not be parsed.
        public static let invalidURI = Code(.invalidURI)
        /// The TCP connection or AMQP handshake failed.
        public static let connectionFailed = Code(.connectionFailed)
        /// The broker refused the credentials or the virtual host.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// An operation did not finish within its timeout.
        public static let timeout = Code(.timeout)
        /// The broker closed a channel because an operation was refused (see reply code).
        public static let channelClosed = Code(.channelClosed)
        /// The broker closed the connection (see reply code).
        public static let connectionClosed = Code(.connectionClosed)
        /// The connection dropped while the operation was in flight; its outcome is unknown.
        public static let connectionLost = Code(.connectionLost)
        /// The connection was not available within the operation's deadline.
        public static let notConnected = Code(.notConnected)
        /// The broker answered a publish with `basic.nack`.
        public static let publishNacked = Code(.publishNacked)
        /// A mandatory publish could not be routed to any queue.
        public static let unroutable = Code(.unroutable)
        /// The broker cancelled a consumer (for example because its queue was deleted).
        public static let consumerCancelled = Code(.consumerCancelled)
        /// The connection was closed by this process.
        public static let shutdown = Code(.shutdown)
        /// The TLS handshake failed or the broker's certificate was not accepted (the message
        /// names the cause: unknown issuer, expired, wrong host name, ...). Nothing was sent in
        /// clear text.
        public static let tlsFailed = Code(.tlsFailed)
        /// The feature is not available in this build.
        public static let unsupported = Code(.unsupported)
        /// The broker sent something the client could not interpret.
        public static let protocolError = Code(.protocolError)
        /// The caller's input can't be sent (for example a routing key longer than 255
        /// bytes); nothing was sent and the connection is unaffected.
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The operation that failed, such as `queue.declare orders`.
    public var operation: String
    /// The AMQP reply code sent by the broker, if any.
    public var replyCode: UInt16?
    /// The broker's reply text or the library's explanation.
    public var message: String

    public init(code: Code, operation: String, replyCode: UInt16? = nil, message: String) {
        self.code = code
        self.operation = operation
        self.replyCode = replyCode
        self.message = message
    }

    public var description: String {
        var text = "AMQP \(code) during \(operation)"
        if let replyCode { text += " (reply \(replyCode))" }
        if !message.isEmpty { text += ": \(message)" }
        return text
    }
}
