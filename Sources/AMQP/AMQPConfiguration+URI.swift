import Foundation

// The URI grammar follows RabbitMQ's AMQP URI spec, so a URL that works with the broker's own
// tools (and with other clients) works here; parameters that belong to other clients are
// ignored rather than rejected, so one URL can be shared across a mixed deployment.
extension AMQPConfiguration {
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
        let parts = try URIParts(url)
        scheme = parts.scheme
        port = scheme == .amqps ? 5671 : 5672
        try applyUserInfo(parts.userInfo, parts.invalid)
        try applyHostAndPort(parts.authority, parts.invalid)
        if let path = parts.path, !path.isEmpty {
            guard !path.contains("/") else { throw parts.invalid("virtual host must be one path segment; encode '/' as %2F") }
            guard let vhost = Self.percentDecode(path) else { throw parts.invalid("bad percent-encoding in virtual host") }
            virtualHost = vhost
        }
        for pair in parts.query.split(separator: "&") where !pair.isEmpty {
            try applyQueryParameter(pair, parts.invalid)
        }
        if scheme == .amqp, tls.caCertificateFile != nil || tls.certificateFile != nil || tls.keyFile != nil {
            throw parts.invalid("TLS files given for a plain amqp:// URI; use amqps://")
        }
    }

    /// A URI cut at its delimiters, nothing decoded yet.
    private struct URIParts {
        let scheme: Scheme
        var userInfo: Substring?
        var authority: Substring
        var path: Substring?
        var query: Substring = ""
        let invalid: (String) -> AMQPError

        init(_ url: String) throws(AMQPError) {
            let invalid = { (why: String) in
                AMQPError(code: .invalidURI, operation: "parse URI \(AMQPConfiguration.redact(url))", message: why)
            }
            self.invalid = invalid
            guard let schemeEnd = url.range(of: "://") else { throw invalid("missing scheme, expected amqp:// or amqps://") }
            guard let scheme = Scheme(rawValue: url[..<schemeEnd.lowerBound].lowercased()) else {
                throw invalid("unknown scheme '\(url[..<schemeEnd.lowerBound])', expected amqp or amqps")
            }
            self.scheme = scheme
            var rest = url[schemeEnd.upperBound...]
            if let q = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: q)...]
                rest = rest[..<q]
            }
            authority = rest
            if let slash = rest.firstIndex(of: "/") {
                authority = rest[..<slash]
                path = rest[rest.index(after: slash)...]
            }
            // The last @ separates, so an unencoded @ in a password still parses.
            if let at = authority.lastIndex(of: "@") {
                userInfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
            }
        }
    }

    private mutating func applyUserInfo(_ userInfo: Substring?, _ invalid: (String) -> AMQPError) throws(AMQPError) {
        guard let userInfo else { return }
        let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let user = Self.percentDecode(parts[0]) else { throw invalid("bad percent-encoding in user name") }
        username = user
        if parts.count > 1 {
            guard let pass = Self.percentDecode(parts[1]) else { throw invalid("bad percent-encoding in password") }
            password = pass
        }
    }

    private mutating func applyHostAndPort(_ authority: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else { throw invalid("unexpected text after IPv6 address") }
                try parsePort(afterHost.dropFirst(), invalid)
            }
            return
        }
        var hostPart = authority
        if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            try parsePort(authority[authority.index(after: colon)...], invalid)
        }
        if !hostPart.isEmpty {
            guard let decoded = Self.percentDecode(hostPart) else { throw invalid("bad percent-encoding in host") }
            host = decoded
        }
    }

    private mutating func applyQueryParameter(_ pair: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) {
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

    private mutating func parsePort(_ text: Substring, _ invalid: (String) -> AMQPError) throws(AMQPError) {
        guard let value = Int(text), (1...65535).contains(value) else { throw invalid("port '\(text)' is not in 1...65535") }
        port = value
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
