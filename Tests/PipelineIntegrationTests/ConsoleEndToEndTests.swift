import AMQP
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing
import TributaryClient
import TributaryContentStore
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The console executable against a real orchestrator and broker, through HTTP as a browser
/// and a script would use it: nothing without a token, viewers look, operators act, and a
/// session's form must carry its CSRF token.
@Suite(.serialized, TestBroker.required) struct ConsoleEndToEndTests {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    /// HTTP as the tests need it: no redirects followed, cookies by hand.
    final class Browser: Sendable {
        let client: HTTPClient
        let base: String

        /// Plain HTTP, or HTTPS to `localhost` trusting the CA in `trusting`.
        init(port: Int, trusting authority: String? = nil) {
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            if let authority {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .file(authority)
                configuration.tlsConfiguration = tls
            }
            client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            base = authority == nil ? "http://127.0.0.1:\(port)" : "https://localhost:\(port)"
        }

        func send(_ method: HTTPMethod, _ path: String, cookie: String? = nil, headers: [(String, String)] = [], form: [String: String]? = nil)
            async throws -> Reply
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(20))
            let body = try await response.body.collect(upTo: 4 << 20)
            return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
        }

        /// Signs in; the session cookie (`name=value`) and the full Set-Cookie header.
        func signIn(_ token: String) async throws -> (cookie: String, header: String)? {
            let reply = try await send(.POST, "/sign-in", form: ["token": token])
            guard reply.status == 302, let header = reply.headers["Set-Cookie"].first else { return nil }
            return (String(header.split(separator: ";")[0]), header)
        }

        func close() async { try? await client.shutdown() }
    }

    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Starts the console on a free port with a viewer's and an operator's token; waits for `/readyz`.
    static func startConsole(_ harness: PipelineHarness, extra: [String] = [], trusting authority: String? = nil) async throws -> (
        process: ServiceProcess, browser: Browser
    ) {
        let tokens = "\(harness.directory)/tokens.yaml"
        try """
        - name: vera
          role: viewer
          sha256: \(SHA256.hex(of: Array("viewer-secret".utf8)))
        - name: otto
          role: operator
          sha256: \(SHA256.hex(of: Array("operator-secret".utf8)))
        """.write(toFile: tokens, atomically: true, encoding: .utf8)
        let port = try freePort()
        let process = try harness.runService(
            "tributary-console",
            [
                "--amqp-url", harness.brokerURL, "--namespace", harness.topology.namespace, "--tokens-file", tokens, "--http-port", "\(port)",
                "--http-host", "127.0.0.1",
            ] + extra)
        let browser = Browser(port: port, trusting: authority)
        try await eventually(within: .seconds(30), "the console ready") { (try? await browser.send(.GET, "/readyz"))?.status == 200 }
        return (process, browser)
    }

    @Test func nothingWithoutATokenViewersLookOperatorsActWithCSRF() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            let (_, browser) = try await Self.startConsole(harness)
            defer { Task { await browser.close() } }
            let id = "console-\(UInt32.random(in: 0...UInt32.max))"
            _ = try await harness.client.submit(Corpus.spec(name: "watched <b>", documents: 4, batchSize: 1), experimentID: id)

            // Signed out: pages go to the sign-in page, the API and the metrics answer 401.
            for path in ["/", "/experiments/\(id)", "/experiments/\(id)/cancel"] {
                let reply = try await browser.send(.GET, path)
                #expect(reply.status == 302 && reply.headers["Location"].first == "/sign-in", "\(path): \(reply.status)")
            }
            for (method, path) in [
                (HTTPMethod.GET, "/api/v1/experiments"), (.GET, "/api/v1/experiments/\(id)"), (.POST, "/api/v1/experiments/\(id)/cancel"), (.GET, "/metrics"),
            ] {
                #expect(try await browser.send(method, path).status == 401, "\(method) \(path)")
            }
            #expect(try await browser.send(.POST, "/experiments/\(id)/cancel").status == 302)
            #expect(try await browser.send(.GET, "/healthz").status == 200)
            #expect(try await browser.send(.POST, "/sign-in", form: ["token": "not-a-token"]).status == 401)
            #expect(try await browser.send(.GET, "/api/v1/experiments", headers: [("Authorization", "Bearer not-a-token")]).status == 401)

            // A viewer sees the experiment, escaped, and may not act.
            let viewer = try #require(try await browser.signIn("viewer-secret"))
            #expect(viewer.header.contains("HttpOnly") && viewer.header.contains("SameSite=Strict") && viewer.header.contains("Path=/"), "\(viewer.header)")
            let list = try await browser.send(.GET, "/", cookie: viewer.cookie)
            #expect(list.status == 200 && list.body.contains(id) && list.body.contains("watched &lt;b&gt;") && !list.body.contains("watched <b>"))
            let page = try await browser.send(.GET, "/experiments/\(id)", cookie: viewer.cookie)
            #expect(page.status == 200 && !page.body.contains("Cancel…"), "no actions for a viewer")
            let viewerCSRF = try #require(Self.csrf(in: page.body))
            #expect(try await browser.send(.POST, "/experiments/\(id)/cancel", cookie: viewer.cookie, form: ["csrf": viewerCSRF]).status == 403)
            #expect(try await browser.send(.POST, "/api/v1/experiments/\(id)/cancel", headers: [("Authorization", "Bearer viewer-secret")]).status == 403)
            #expect(try await browser.send(.GET, "/metrics", cookie: viewer.cookie).status == 200)

            // An operator: the confirmation page, a POST without the CSRF token refused, with it done.
            let operatorSession = try #require(try await browser.signIn("operator-secret"))
            let confirm = try await browser.send(.GET, "/experiments/\(id)/cancel", cookie: operatorSession.cookie)
            #expect(confirm.status == 200 && confirm.body.contains("Cancel watched &lt;b&gt;?"))
            let csrf = try #require(Self.csrf(in: confirm.body))
            #expect(try await browser.send(.POST, "/experiments/\(id)/cancel", cookie: operatorSession.cookie).status == 403)
            #expect(try await browser.send(.POST, "/experiments/\(id)/cancel", cookie: operatorSession.cookie, form: ["csrf": viewerCSRF]).status == 403)
            #expect(
                try await browser.send(.POST, "/api/v1/experiments/\(id)/cancel", cookie: operatorSession.cookie).status == 403,
                "a session's API POST needs X-CSRF-Token")
            let done = try await browser.send(.POST, "/experiments/\(id)/cancel", cookie: operatorSession.cookie, form: ["csrf": csrf])
            #expect(done.status == 302 && done.headers["Location"].first == "/experiments/\(id)")
            let status = try harness.runClient(["status", id])
            #expect(try await status.waitForExit(within: .seconds(30)) == 0)
            #expect(status.log.contains(#""state":"cancelled""#), "\(status.log)")

            // The API with a bearer token, as a script would.
            let second = "console-api-\(UInt32.random(in: 0...UInt32.max))"
            _ = try await harness.client.submit(Corpus.spec(name: "scripted", documents: 2, batchSize: 1), experimentID: second)
            let cancelled = try await browser.send(.POST, "/api/v1/experiments/\(second)/cancel", headers: [("Authorization", "Bearer operator-secret")])
            #expect(cancelled.status == 200 && cancelled.body.contains(#""state":"cancelled""#), "\(cancelled.body)")
            let listed = try await browser.send(.GET, "/api/v1/experiments?state=cancelled", headers: [("Authorization", "Bearer viewer-secret")])
            #expect(listed.status == 200 && listed.body.contains(id) && listed.body.contains(second))
            #expect(try await browser.send(.GET, "/api/v1/experiments/no-such", headers: [("Authorization", "Bearer viewer-secret")]).status == 404)

            // The OpenAPI document parses, and every path it lists answers a viewer (none is a 404 of the router).
            let openapi = try await browser.send(.GET, "/api/v1/openapi.json", headers: [("Authorization", "Bearer viewer-secret")])
            #expect(openapi.status == 200)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(openapi.body.utf8)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            #expect(paths.count >= 10)
            for (path, operations) in paths where operations["get"] != nil && !path.hasSuffix("/events") {
                let concrete = path.replacingOccurrences(of: "{id}", with: id)
                let answer = try await browser.send(.GET, concrete, headers: [("Authorization", "Bearer viewer-secret")])
                #expect(answer.status == 200, "GET \(concrete): \(answer.status)")
            }
            #expect(try await browser.send(.GET, "/api/v1/openapi.json").status == 401)

            // Signed out, the session is gone.
            #expect(try await browser.send(.POST, "/sign-out", cookie: viewer.cookie, form: ["csrf": viewerCSRF]).status == 302)
            #expect(try await browser.send(.GET, "/", cookie: viewer.cookie).status == 302)
        }
    }

    /// A dead letter is listed and shown to a viewer; an operator replays it through the
    /// confirmation, and the orchestrator runs the experiment it carried.
    @Test func deadLettersAreListedShownAndReplayed() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            let (_, browser) = try await Self.startConsole(harness)
            defer { Task { await browser.close() } }
            let replayed = "console-replayed-\(UInt32.random(in: 0...UInt32.max))"
            try await harness.deadLetterRequest(replayed)
            let client = harness.client

            let viewer = try #require(try await browser.signIn("viewer-secret"))
            let list = try await browser.send(.GET, "/dead-letters?reason=malformed", cookie: viewer.cookie)
            #expect(list.status == 200 && list.body.contains(replayed) && !list.body.contains("Replay selected"))
            #expect(try await browser.send(.GET, "/dead-letters?reason=delivery_limit", cookie: viewer.cookie).body.contains(replayed) == false)
            let shown = try await browser.send(.GET, "/dead-letters/\(replayed)", cookie: viewer.cookie)
            #expect(shown.status == 200 && shown.body.contains("refused while misconfigured") && shown.body.contains("&quot;experiment_id&quot;"))
            let viewerCSRF = try #require(Self.csrf(in: list.body) ?? Self.csrf(in: shown.body))
            #expect(try await browser.send(.POST, "/dead-letters/replay", cookie: viewer.cookie, form: ["csrf": viewerCSRF, "id": replayed]).status == 403)

            let operatorSession = try #require(try await browser.signIn("operator-secret"))
            let page = try await browser.send(.GET, "/dead-letters", cookie: operatorSession.cookie)
            let csrf = try #require(Self.csrf(in: page.body))
            let confirm = try await browser.send(.POST, "/dead-letters/replay", cookie: operatorSession.cookie, form: ["csrf": csrf, "id": replayed])
            #expect(confirm.status == 200 && confirm.body.contains("Replay 1 dead letter?"), "asked first")
            #expect(try await client.deadLetters().contains { $0.messageID == replayed }, "nothing replayed before the confirmation")
            let done = try await browser.send(
                .POST, "/dead-letters/replay", cookie: operatorSession.cookie, form: ["csrf": csrf, "id": replayed, "confirm": "yes"])
            #expect(done.status == 302)
            try await eventually(within: .seconds(30), "the replayed request to be received") { try await client.status(experimentID: replayed) != nil }
            #expect(try await client.deadLetters().contains { $0.messageID == replayed } == false)
        }
    }

    /// The batch grid: a cell per batch, coloured by state, linking to the batch; ranges once
    /// asked for fewer cells than batches; and the experiment's events as a live stream.
    @Test func theBatchGridAndTheEventStreamFollowAnExperiment() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1)
            try await harness.waitUntilReady()
            let (_, browser) = try await Self.startConsole(harness)
            defer { Task { await browser.close() } }
            let viewer = try #require(try await browser.signIn("viewer-secret"))
            let id = "console-grid-\(UInt32.random(in: 0...UInt32.max))"

            // The stream is open before the experiment exists; its events arrive as they happen.
            var request = HTTPClientRequest(url: browser.base + "/experiments/\(id)/events")
            request.headers.add(name: "Cookie", value: viewer.cookie)
            let stream = try await browser.client.execute(request, timeout: .seconds(60))
            #expect(stream.status == .ok && stream.headers["Content-Type"].first == "text/event-stream")
            let outcome = try await harness.client.submit(Corpus.spec(name: "gridded", documents: 12, batchSize: 1), experimentID: id).outcome(
                within: .seconds(60))
            #expect(outcome.state == .completed)
            let body = stream.body
            let received = try await withTimeout(.seconds(30), orThrow: HarnessError("no completed event on the stream")) {
                var received = ""
                for try await chunk in body {
                    received += String(buffer: chunk)
                    if received.contains(#""state":"completed""#) { break }
                }
                return received
            }
            #expect(received.contains("event: status") && received.contains(id))

            let page = try await browser.send(.GET, "/experiments/\(id)", cookie: viewer.cookie)
            #expect(page.status == 200 && page.body.components(separatedBy: "class=\"s-succeeded\" href=").count - 1 == 12, "12 completed cells")
            #expect(page.body.contains("data-events=\"/experiments/\(id)/events\""))
            let ranged = try await browser.send(.GET, "/api/v1/experiments/\(id)/batches?cells=5", headers: [("Authorization", "Bearer viewer-secret")])
            let map = try MessageCoding.decode(BatchMapReply.self, from: Array(ranged.body.utf8))
            #expect(map.batchCount == 12 && map.cells.map(\.first) == [0, 3, 6, 9] && map.cells.allSatisfy { $0.state == .succeeded })
            #expect(map.cells.reduce(0) { $0 + ($1.counts["succeeded"] ?? 0) } == 12)
            let batch = try await browser.send(.GET, "/experiments/\(id)/batches/7", cookie: viewer.cookie)
            #expect(batch.status == 200 && batch.body.contains("Batch 7") && batch.body.contains("<li>gridded-7</li>"), "\(batch.body)")
            #expect(try await browser.send(.GET, "/experiments/\(id)/batches/99", cookie: viewer.cookie).status == 404)
            let script = try await browser.send(.GET, "/assets/console.js", cookie: viewer.cookie)
            #expect(script.status == 200 && script.body.contains("EventSource"))
            #expect(try await browser.send(.GET, "/assets/console.js").status == 302)
            #expect(try await browser.send(.GET, "/events").status == 401)
        }
    }

    /// `--metrics-token` on any service: its `/metrics` answers only the token whose hash it was
    /// given; health stays open; the token itself is refused as a value.
    @Test func aServicesMetricsCanBeGuardedByAToken() async throws {
        try await withPipeline { harness in
            let port = try freePort()
            let digest = SHA256.hex(of: Array("scraper-secret".utf8))
            _ = try harness.runService(
                "corpus-synthesis-agent",
                [
                    "--amqp-url", harness.brokerURL, "--namespace", harness.topology.namespace, "--http-port", "\(port)", "--http-host", "127.0.0.1",
                    "--metrics-token", digest,
                ])
            let browser = Browser(port: port)
            defer { Task { await browser.close() } }
            try await eventually(within: .seconds(30), "the agent's endpoint") { (try? await browser.send(.GET, "/healthz"))?.status == 200 }
            #expect(try await browser.send(.GET, "/metrics").status == 401)
            #expect(try await browser.send(.GET, "/metrics", headers: [("Authorization", "Bearer wrong")]).status == 401)
            let scraped = try await browser.send(.GET, "/metrics", headers: [("Authorization", "Bearer scraper-secret")])
            #expect(scraped.status == 200 && scraped.body.contains("# TYPE"), "\(scraped.status)")
            let refused = try harness.runService("corpus-synthesis-agent", ["--amqp-url", harness.brokerURL, "--metrics-token", "scraper-secret"])
            #expect(try await refused.waitForExit(within: .seconds(30)) != 0)
            #expect(refused.log.contains("takes the token's sha256"), "\(refused.log)")
        }
    }

    @Test func withoutATokensFileTheConsoleRefusesToStartUnlessToldNoAuthOnLoopback() async throws {
        try await withPipeline { harness in
            let refused = try harness.runService("tributary-console", ["--amqp-url", harness.brokerURL, "--http-port", "\(try freePort())"])
            #expect(try await refused.waitForExit(within: .seconds(30)) != 0)
            #expect(refused.log.contains("no tokens file"), "\(refused.log)")
            let exposed = try harness.runService("tributary-console", ["--amqp-url", harness.brokerURL, "--no-auth", "--http-host", "10.1.2.3"])
            #expect(try await exposed.waitForExit(within: .seconds(30)) != 0)
            #expect(exposed.log.contains("--no-auth serves loopback only"), "\(exposed.log)")
        }
    }

    /// With a certificate the console serves HTTPS alone, and its session cookie is Secure; a
    /// key that is not the certificate's stops it at start, saying which file.
    @Test func withACertificateTheConsoleServesHTTPSAndSecureCookies() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            let tls = "\(harness.directory)/tls"
            let made = try harness.runProgram("/bin/bash", [Repository.path("Deploy/local/make-certificates.sh"), tls])
            #expect(try await made.waitForExit(within: .seconds(120)) == 0, "\(made.log)")
            let certificate = ["--tls-cert-file", "\(tls)/server.pem"]
            let mismatched = try harness.runService(
                "tributary-console",
                ["--amqp-url", harness.brokerURL, "--no-auth", "--http-port", "\(try freePort())", "--tls-key-file", "\(tls)/client.key"] + certificate)
            #expect(try await mismatched.waitForExit(within: .seconds(30)) != 0)
            #expect(mismatched.log.contains("does not go with --tls-cert-file"), "\(mismatched.log)")

            let (process, browser) = try await Self.startConsole(
                harness, extra: certificate + ["--tls-key-file", "\(tls)/server.key"], trusting: "\(tls)/ca.pem")
            defer { Task { await browser.close() } }
            #expect(browser.base.hasPrefix("https://"))
            let viewer = try #require(try await browser.signIn("viewer-secret"))
            #expect(viewer.header.contains("Secure") && viewer.header.contains("HttpOnly") && viewer.header.contains("SameSite=Strict"), "\(viewer.header)")
            #expect(try await browser.send(.GET, "/", cookie: viewer.cookie).status == 200)
            // The same port does not answer plain HTTP.
            let port = try #require(URLComponents(string: browser.base)?.port)
            let plain = Browser(port: port)
            defer { Task { await plain.close() } }
            #expect((try? await plain.send(.GET, "/readyz"))?.status != 200)
            #expect(process.log.contains("HTTP endpoint listening"))
        }
    }
}
