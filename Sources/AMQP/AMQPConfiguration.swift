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

    public var scheme: Scheme = .amqp
    public var host: String = "127.0.0.1"
    public var port: Int = 5672
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

    /// The broker of a local development set-up (the guest account on loopback): what the
    /// executables use when neither `--amqp-url` nor `AMQP_URL` is given.
    public static let localURL = "amqp://guest:guest@127.0.0.1:5672/%2F"

    /// Parses an AMQP URI (`amqp://user:pass@host:port/vhost?heartbeat=10&connection_timeout=5000`).
    ///
    /// User, password and virtual host are percent-decoded; `%2F` is the default vhost `/`.
    /// A missing path means `/`. Query parameters follow RabbitMQ's URI spec:
    /// `heartbeat` in seconds, `connection_timeout` in milliseconds.
    public init(url: String) throws(AMQPError) {
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
            guard kv.count == 2, let value = Int(kv[1]), value >= 0 else { throw invalid("query parameter '\(key)' needs a non-negative integer") }
            switch key {
            case "heartbeat": heartbeat = .seconds(value)
            case "connection_timeout": connectTimeout = .milliseconds(value)
            case "frame_max": frameMax = value
            default: break  // Other clients' parameters (channel_max, auth_mechanism, ...) are not ours to reject.
            }
        }
    }

    private mutating func parsePort(_ text: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) {
        guard let value = Int(text), (1...65535).contains(value) else { throw invalid("port '\(text)' is not in 1...65535") }
        port = value
    }

    /// The URI of this configuration with the password replaced by `***`, safe to log.
    public var redactedURL: String {
        let vhost = virtualHost == "/" ? "%2F" : (Self.percentEncode(virtualHost))
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(Self.percentEncode(username)):***@\(hostText):\(port)/\(vhost)"
    }

    static func redact(_ url: String) -> String {
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
