import Foundation
import TributaryStore

/// Where the shared store is and how orchestrators share it, from a
/// `postgres://user:password@host:port/database?sslmode=…` URL.
///
/// The password is kept only to connect: ``description`` and every error leave it out.
public struct PostgresStoreConfiguration: Sendable, CustomStringConvertible {
    /// How the connection uses TLS, after libpq's `sslmode`.
    public enum TLSMode: String, Sendable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, unverified; plain otherwise. libpq's default.
        case prefer
        /// TLS always, unverified: protects against listening, not against impersonation.
        case require
        /// TLS always, the server's certificate checked against the system's CAs and its name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    var password: String?
    public var database: String
    public var tls: TLSMode
    /// How long an orchestrator's claim on its outbox rows lasts without a heartbeat. Once it
    /// lapses (the orchestrator died), another orchestrator publishes what it left.
    public var outboxLease: Duration = .seconds(10)
    /// How long a connection attempt may take.
    public var connectTimeout: Duration = .seconds(10)
    /// Names this orchestrator's heartbeat and outbox rows; unique per process.
    public var instanceID: String

    /// Whether `value` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` or `postgresql://` URL. Errors quote the URL without its password.
    public init(url: String, instanceID: String = PostgresStoreConfiguration.makeInstanceID()) throws {
        let invalid = { (why: String) in
            ExperimentStoreError(.invalidLocation, path: Self.redact(url), "not a usable PostgreSQL URL: \(why)")
        }
        guard Self.isURL(url), let components = URLComponents(string: url) else {
            throw invalid("expected postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name after the host") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.tls = .prefer
        self.instanceID = instanceID
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw invalid("sslmode must be disable, prefer, require or verify-full")
                }
                tls = mode
            case "connect_timeout":
                guard let seconds = item.value.flatMap(Int.init), seconds > 0 else { throw invalid("connect_timeout must be whole seconds") }
                connectTimeout = .seconds(seconds)
            default:
                throw invalid("unknown parameter '\(item.name)' (known: sslmode, connect_timeout)")
            }
        }
    }

    /// The database as a log line may show it: no password.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// `url` with any password replaced, for messages about a URL that may not parse.
    public static func redact(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// The host name, the process id and a random suffix: readable in the `orchestrators`
    /// table, and never reused by a restarted process.
    public static func makeInstanceID() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(64)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    }
}
