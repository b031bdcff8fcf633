import Foundation

/// How to reach and talk to a broker.
///
/// Build it from an AMQP URI with ``init(url:)`` and adjust the rest; every field has a
/// default that suits a service on a local network.
public struct AMQPConfiguration: Sendable, Hashable {
    /// Transport security of the connection.
    public enum Scheme: String, Sendable, Hashable {
        case amqp
        case amqps
    }

    /// When and how fast a lost connection is re-opened.
    public struct Reconnect: Sendable, Hashable {
        /// Re-open the connection after it is lost; when false, a loss fails every operation.
        public var enabled: Bool = true
        /// Wait before the first attempt.
        public var initialDelay: Duration = .milliseconds(100)
        /// Upper bound of the doubling wait between attempts.
        public var maximumDelay: Duration = .seconds(5)

        public init() {}
    }

    /// One broker address; a cluster has several.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// How an `amqps://` connection checks the broker and proves itself.
    public struct TLS: Sendable, Hashable {
        /// PEM file of the CA(s) the broker's certificate must chain to; `nil` uses the
        /// system's trust store.
        public var caCertificateFile: String?
        /// PEM client certificate (chain) for mutual TLS; needs ``keyFile``.
        public var certificateFile: String?
        /// PEM private key of ``certificateFile`` (not password-protected).
        public var keyFile: String?
        /// Check the broker's certificate chain. Turning it off is for tests only: anyone on
        /// the path could then read the traffic.
        public var verifyPeer = true
        /// Check that the certificate names the host connected to.
        public var verifyHostname = true

        public init() {}
    }

    public var scheme: Scheme = .amqp
    public var host: String = "127.0.0.1"
    public var port: Int = 5672
    /// Further brokers of the same cluster, tried in order after ``host``:``port``; a lost
    /// connection is re-opened to the next one.
    public var alternateEndpoints: [Endpoint] = []
    public var tls = TLS()
    public var virtualHost: String = "/"
    public var username: String = "guest"
    public var password: String = "guest"
    /// Heartbeat interval negotiated with the broker; zero disables heartbeats.
    ///
    /// It decides how soon a silently lost peer is noticed: the broker closes a connection
    /// after about two missed intervals, and only then returns its unacknowledged messages to
    /// other consumers (measured: ≈ 3 × the interval in all, ≈ 15 s at 5 s, ≈ 90 s at 30 s).
    /// 5 s brings a lost worker host's tasks back well within 30 s. Lower values risk
    /// closing connections of processes that are merely stalled; busy handlers are no risk,
    /// since the connection's own thread answers heartbeats.
    public var heartbeat: Duration = .seconds(5)
    /// Shown as the connection name in the RabbitMQ management UI.
    public var connectionName: String = "tributary"
    /// Bound on TCP connect plus the AMQP handshake.
    public var connectTimeout: Duration = .seconds(5)
    /// Bound on each synchronous broker round trip (declare, bind, close, ...).
    public var rpcTimeout: Duration = .seconds(10)
    /// How long a publish or declaration waits for a connection that is being re-opened.
    public var operationTimeout: Duration = .seconds(30)
    /// Largest frame the client will accept.
    public var frameMax: Int = 131_072
    public var reconnect = Reconnect()

    public init() {}

    /// Every broker address, the primary first.
    public var endpoints: [Endpoint] { [Endpoint(host: host, port: port)] + alternateEndpoints }

    /// The broker of a local development set-up (the guest account on loopback): what the
    /// executables use when neither `--amqp-url` nor `AMQP_URL` is given.
    public static let localURL = "amqp://guest:guest@127.0.0.1:5672/%2F"

    /// The URI of this configuration with the password replaced by `***`, safe to log.
    public var redactedURL: String { redactedURL(for: Endpoint(host: host, port: port)) }

    /// The URI of one of the endpoints, password replaced by `***`.
    public func redactedURL(for endpoint: Endpoint) -> String {
        let vhost = virtualHost == "/" ? "%2F" : (Self.percentEncode(virtualHost))
        return "\(scheme.rawValue)://\(Self.percentEncode(username)):***@\(endpoint)/\(vhost)"
    }
}

extension AMQPConfiguration: CustomStringConvertible {
    public var description: String { redactedURL }
}
