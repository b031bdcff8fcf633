import Foundation
import Testing

@testable import TributaryConsole

/// The console's access control, without a server: tokens by hash, sessions, the sign-in
/// limit and the escaping every page relies on.
@Suite struct ConsoleAccessTests {
    static let file = """
        - name: vera
          role: viewer
          sha256: \(ConsoleTokens.digest(of: "viewer-secret"))
        - name: otto
          role: operator
          sha256: \(ConsoleTokens.digest(of: "operator-secret").uppercased())
        """

    @Test func tokensAreFoundByTheirHashAndCarryTheirRole() throws {
        let tokens = try ConsoleTokens(parsing: Self.file, file: "tokens.yaml")
        #expect(tokens.count == 2)
        #expect(tokens.principal(for: "viewer-secret") == ConsolePrincipal(name: "vera", role: .viewer))
        #expect(tokens.principal(for: "operator-secret")?.role == .`operator`)
        #expect(tokens.principal(for: "viewer-secre") == nil && tokens.principal(for: "") == nil)
        #expect(ConsoleRole.viewer < .`operator`)
        #expect(!Self.file.contains("viewer-secret"), "the file holds hashes only")
    }

    @Test(arguments: [
        ("- name: a\n  role: admin\n  sha256: \(String(repeating: "a", count: 64))", "not a list of tokens"),
        ("- name: a\n  role: viewer\n  sha256: abc", "sha256 must be 64 hex digits"),
        (
            "- name: a\n  role: viewer\n  sha256: \(String(repeating: "a", count: 64))\n- name: b\n  role: operator\n  sha256: \(String(repeating: "a", count: 64))",
            "repeats"
        ),
        ("[]", "lists no tokens"),
    ])
    func badTokenFilesAreRefusedSayingWhy(_ text: String, _ expected: String) {
        #expect(throws: ConsoleConfigurationError.self) { try ConsoleTokens(parsing: text, file: "tokens.yaml") }
        do {
            _ = try ConsoleTokens(parsing: text, file: "tokens.yaml")
        } catch {
            #expect(error.message.hasPrefix("tokens.yaml: ") && error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func sessionsExpireAndAreBounded() throws {
        let sessions = ConsoleSessions(lifetime: 60, capacity: 2)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let principal = ConsolePrincipal(name: "vera", role: .viewer)
        let first = try #require(sessions.open(for: principal, at: now))
        #expect(first.id.utf8.count == 64 && first.session.csrf.utf8.count == 64 && first.id != first.session.csrf)
        #expect(sessions.session(first.id, at: now + 59)?.principal == principal)
        #expect(sessions.session(first.id, at: now + 61) == nil)
        _ = try #require(sessions.open(for: principal, at: now + 100))
        _ = try #require(sessions.open(for: principal, at: now + 100))
        #expect(sessions.open(for: principal, at: now + 100) == nil, "at capacity")
        #expect(sessions.open(for: principal, at: now + 200) != nil, "expired ones make room")
    }

    @Test func failedSignInsAreLimitedPerClientWithinTheWindow() {
        let limiter = SignInLimiter(limit: 3, window: 60)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        for offset in 0..<3 {
            #expect(limiter.allows("a", at: now + Double(offset)))
            limiter.failed("a", at: now + Double(offset))
        }
        #expect(!limiter.allows("a", at: now + 10))
        #expect(limiter.allows("b", at: now + 10), "another client is not held")
        #expect(limiter.allows("a", at: now + 61), "the window has passed for the first failure")

        // Made-up forwarded addresses buy no more than the ceiling over all of them.
        let sprayed = SignInLimiter(limit: 3, totalLimit: 10, window: 60)
        for index in 0..<10 {
            #expect(sprayed.allows("spoofed-\(index)", at: now))
            sprayed.failed("spoofed-\(index)", at: now)
        }
        #expect(!sprayed.allows("spoofed-new", at: now + 1))
        #expect(sprayed.allows("spoofed-new", at: now + 61))
    }

    @Test func pagesEscapeEverythingAnExperimentCarries() {
        #expect(HTML.escape(#"<script>alert("x")</script> & 'y'"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;")
        #expect(HTML.component("a b/c?d") == "a%20b%2Fc%3Fd")
    }
}
