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

    /// Parses an AMQP URI (`amqp://user:pass@host:port/vhost?heartbeat=10&connection_timeout=5000`),
    /// or a comma-separated list of them, one per node of a cluster.
    ///
    /// User, password and virtual host are percent-decoded; `%2F` is the default vhost `/`.
    /// A missing path means `/`. Query parameters follow RabbitMQ's URI spec:
    /// `heartbeat` in seconds, `connection_timeout` in milliseconds, `frame_max`, and for
    /// `amqps://` `cacertfile`, `certfile`, `keyfile` (paths) and `verify` (`verify_peer`,
    /// the default, or `verify_none`). In a list, the first URI gives the credentials, virtual
    /// host and options; the others must agree on scheme, user and virtual host and add
    /// only their host and port (a comma in a password must be written `%2C`).
    public init(url: String) throws(AMQPError) {
        let urls = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard urls.count > 1 else {
            try self.init(single: url)
            return
        }
        try self.init(single: urls[0])
        for other in urls.dropFirst() {
            let node = try AMQPConfiguration(single: other)
            guard node.scheme == scheme, node.username == username, node.virtualHost == virtualHost else {
                throw AMQPError(
                    code: .invalidURI, operation: "parse URI list \(Self.redact(url))",
                    message: "every URI of a list must use the same scheme, user and virtual host as the first")
            }
            alternateEndpoints.append(Endpoint(host: node.host, port: node.port))
        }
    }

    private init(single url: String) throws(AMQPError) {
        self.init()
        func invalid(_ why: String) -> AMQPError {
            AMQPError(code: .invalidURI, operation: "parse URI \(AMQPConfiguration.redact(url))", message: why)
        }
        guard let schemeEnd = url.range(of: "://") else { throw invalid("missing scheme, expected amqp:// or amqps://") }
        guard let scheme = Scheme(rawValue: url[..<schemeEnd.lowerBound].lowercased()) else {
            throw invalid("unknown scheme '\(url[..<schemeEnd.lowerBound])', expected amqp or amqps")
        }
        self.scheme = scheme
        self.port = scheme == .amqps ? 5671 : 5672

        var rest = url[schemeEnd.upperBound...]
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var authority = rest
        var path: Substring?
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = Self.percentDecode(parts[0]) else { throw invalid("bad percent-encoding in user name") }
            username = user
            if parts.count > 1 {
                guard let pass = Self.percentDecode(parts[1]) else { throw invalid("bad percent-encoding in password") }
                password = pass
            }
        }
        var hostPart = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            hostPart = authority[authority.index(after: close)...]
            if !hostPart.isEmpty {
                guard hostPart.hasPrefix(":") else { throw invalid("unexpected text after IPv6 address") }
                try parsePort(hostPart.dropFirst(), invalid)
            }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                try parsePort(authority[authority.index(after: colon)...], invalid)
            }
            if !hostPart.isEmpty {
                guard let decoded = Self.percentDecode(hostPart) else { throw invalid("bad percent-encoding in host") }
                host = decoded
            }
        }
        if let path, !path.isEmpty {
            guard !path.contains("/") else { throw invalid("virtual host must be one path segment; encode '/' as %2F") }
            guard let vhost = Self.percentDecode(path) else { throw invalid("bad percent-encoding in virtual host") }
            virtualHost = vhost
        }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = String(kv[0])
            let text = kv.count == 2 ? Self.percentDecode(kv[1]) : nil
            func number() throws(AMQPError) -> Int {
                guard let text, let value = Int(text), value >= 0 else { throw invalid("query parameter '\(key)' needs a non-negative integer") }
                return value
            }
            func path() throws(AMQPError) -> String {
                guard let text, !text.isEmpty else { throw invalid("query parameter '\(key)' needs a file path") }
                return text
            }
            switch key {
            case "heartbeat": heartbeat = .seconds(try number())
            case "connection_timeout": connectTimeout = .milliseconds(try number())
            case "frame_max": frameMax = try number()
            case "cacertfile": tls.caCertificateFile = try path()
            case "certfile": tls.certificateFile = try path()
            case "keyfile": tls.keyFile = try path()
            case "verify":
                switch text {
                case "verify_peer": tls.verifyPeer = true
                case "verify_none": tls.verifyPeer = false
                default: throw invalid("query parameter 'verify' must be verify_peer or verify_none")
                }
            default: break  // Other clients' parameters (channel_max, auth_mechanism, ...) are not ours to reject.
            }
        }
        if scheme == .amqp, tls.caCertificateFile != nil || tls.certificateFile != nil || tls.keyFile != nil {
            throw invalid("TLS files given for a plain amqp:// URI; use amqps://")
        }
    }

    private mutating func parsePort(_ text: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) {
        guard let value = Int(text), (1...65535).contains(value) else { throw invalid("port '\(text)' is not in 1...65535") }
        port = value
    }

    /// The URI of this configuration with the password replaced by `***`, safe to log.
    public var redactedURL: String { redactedURL(for: Endpoint(host: host, port: port)) }

    /// The URI of one of the endpoints, password replaced by `***`.
    public func redactedURL(for endpoint: Endpoint) -> String {
        let vhost = virtualHost == "/" ? "%2F" : (Self.percentEncode(virtualHost))
        return "\(scheme.rawValue)://\(Self.percentEncode(username)):***@\(endpoint)/\(vhost)"
    }

    static func redact(_ url: String) -> String {
        guard !url.contains(",") else { return url.split(separator: ",").map { redact(String($0)) }.joined(separator: ",") }
        guard let schemeEnd = url.range(of: "://"),
            let at = url[schemeEnd.upperBound...].lastIndex(of: "@")
        else { return url }
        let userInfo = url[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    static func percentDecode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension AMQPConfiguration: CustomStringConvertible {
    public var description: String { redactedURL }
}
