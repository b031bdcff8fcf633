import Foundation
import Synchronization

/// Signed-in browsers: a random session id (the cookie) for a token's holder, with the CSRF
/// token every form of that session must send back. Kept in memory: a restarted console
/// asks everyone to sign in again, which is the safe way to lose them.
public final class ConsoleSessions: Sendable {
    public struct Session: Sendable, Hashable {
        public var principal: ConsolePrincipal
        public var csrf: String
        public var expires: Date
    }

    private let sessions = Mutex<[String: Session]>([:])
    public let lifetime: TimeInterval
    /// Sessions beyond this are refused: a flood of sign-ins must not grow memory for ever.
    public let capacity: Int

    public init(lifetime: TimeInterval = 12 * 3_600, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// A new session; nil when the console holds `capacity` live sessions already.
    public func open(for principal: ConsolePrincipal, at now: Date = Date()) -> (id: String, session: Session)? {
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > now }
            guard sessions.count < capacity else { return nil }
            let id = Self.randomToken()
            let session = Session(principal: principal, csrf: Self.randomToken(), expires: now + lifetime)
            sessions[id] = session
            return (id, session)
        }
    }

    public func session(_ id: String, at now: Date = Date()) -> Session? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expires > now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    public func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 256 random bits as hex, from the system's secure generator (getrandom on Linux).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next()) }.joined()
    }
}

/// Failed sign-ins per client address: past `limit` within `window`, that address is refused
/// until the window has passed, so a token cannot be guessed at network speed. The address
/// comes from `X-Forwarded-For`, which a client that reaches the console directly can make up,
/// so failures from all addresses together have a ceiling too (`totalLimit`): rotating the
/// header buys no more guesses than that.
public final class SignInLimiter: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    public let limit: Int
    public let totalLimit: Int
    public let window: TimeInterval

    public init(limit: Int = 5, totalLimit: Int = 60, window: TimeInterval = 60) {
        self.limit = limit
        self.totalLimit = totalLimit
        self.window = window
    }

    /// Whether `address` may try now.
    public func allows(_ address: String, at now: Date = Date()) -> Bool {
        failures.withLock { failures in
            failures = failures.compactMapValues { times in
                let recent = times.filter { now.timeIntervalSince($0) < window }
                return recent.isEmpty ? nil : recent
            }
            return (failures[address]?.count ?? 0) < limit && failures.values.reduce(0) { $0 + $1.count } < totalLimit
        }
    }

    public func failed(_ address: String, at now: Date = Date()) {
        // Recorded only after `allows`, which forgets what the window has passed: at most
        // `totalLimit` failures are held, whatever addresses they claim.
        failures.withLock { $0[address, default: []].append(now) }
    }
}
