import Foundation
import HTTPTypes
import Hummingbird

/// Who a request is from: a bearer token, a session cookie, or, with `--no-auth`, the local
/// operator. Nil means nobody: the caller redirects to sign-in or answers 401.
struct ConsoleAccess: Sendable {
    enum Credential {
        /// `csrf` is what a POST must carry: a session's token; nil for a bearer token,
        /// which a browser never sends by itself.
        case signedIn(ConsolePrincipal, csrf: String?)
        /// A bearer token that matches none.
        case refused(String)
    }

    enum SignIn {
        case signedIn(ConsolePrincipal, Cookie)
        case refused, limited, full
    }

    /// Nil with `--no-auth`.
    let tokens: ConsoleTokens?
    let sessions: ConsoleSessions
    let limiter: SignInLimiter
    /// Sessions' cookies are `Secure` when the console serves TLS.
    let secureCookies: Bool
    /// With `--no-auth`: the CSRF token of the one local operator, for this process's life.
    let openCSRF = ConsoleSessions.randomToken()

    static let cookieName = "tributary_session"
    static let localOperator = ConsolePrincipal(name: "local", role: .`operator`)

    func authenticate(_ request: Request) -> Credential? {
        guard let tokens else { return .signedIn(Self.localOperator, csrf: openCSRF) }
        if let authorization = request.headers[.authorization] {
            guard authorization.lowercased().hasPrefix("bearer "), let principal = tokens.principal(for: String(authorization.dropFirst(7))) else {
                return .refused("that bearer token is not valid")
            }
            return .signedIn(principal, csrf: nil)
        }
        guard let id = request.cookies[Self.cookieName]?.value, let session = sessions.session(id) else { return nil }
        return .signedIn(session.principal, csrf: session.csrf)
    }

    /// The address failed sign-ins are counted against: the first `X-Forwarded-For` hop
    /// behind a reverse proxy, else one count for every direct client together (the HTTP
    /// server does not tell a handler its peer).
    static func client(of request: Request) -> String {
        request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "direct"
    }

    func signIn(token: String, request: Request) -> SignIn {
        guard let tokens else { return .refused }
        let client = Self.client(of: request)
        guard limiter.allows(client) else { return .limited }
        guard let principal = tokens.principal(for: token) else {
            limiter.failed(client)
            return .refused
        }
        guard let (id, _) = sessions.open(for: principal) else { return .full }
        let cookie = Cookie(
            name: Self.cookieName, value: id, maxAge: Int(sessions.lifetime), path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
        return .signedIn(principal, cookie)
    }

    /// Ends the request's session; the cookie that clears it in the browser.
    func signOut(_ request: Request) -> Cookie? {
        guard let id = request.cookies[Self.cookieName]?.value else { return nil }
        sessions.close(id)
        return Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// A URL-encoded form body, at most 64 KiB.
    func form(_ request: inout Request) async throws -> ConsoleForm {
        let body = try await request.collectBody(upTo: 65_536)
        var fields: [(String, String)] = []
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let name = parts.first { fields.append((name, parts.count > 1 ? parts[1] : "")) }
        }
        return ConsoleForm(fields: fields)
    }
}

/// A submitted form's fields in order; a name may repeat (checkboxes).
struct ConsoleForm: Sendable {
    var fields: [(String, String)]

    subscript(name: String) -> String? { fields.first { $0.0 == name }?.1 }

    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }
}
