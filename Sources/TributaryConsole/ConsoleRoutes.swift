import Foundation
import HTTPTypes
import Hummingbird
import Logging
import TributaryClient
import TributaryCore
import TributaryReportPage

/// The console's pages and API on the service's HTTP endpoint. Every route but `/healthz`,
/// `/readyz` and the sign-in page needs a token: a session cookie from signing in, or
/// `Authorization: Bearer` for the API. A session's state-changing requests must carry its
/// CSRF token; only an operator may change anything.
struct ConsoleRoutes: Sendable {
    let access: ConsoleAccess
    let backend: ConsoleBackend
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.get("sign-in") { _, _ in html(.ok, ConsolePages.signIn(error: nil)) }
        router.post("sign-in") { request, _ in try await signIn(request) }
        router.post("sign-out") { request, _ in try await signOut(request) }
        router.get("/") { request, _ in try await page(request) { principal, csrf in try await experimentsPage(request, principal, csrf) } }
        router.get("experiments/:id") { request, context in
            try await page(request) { principal, csrf in try await experimentPage(try context.parameters.require("id"), principal, csrf) }
        }
        router.get("experiments/:id/grid") { request, context in
            try await page(request) { _, _ in
                html(.ok, ConsolePages.grid(try await backend.client().batchMap(experimentID: try context.parameters.require("id"))))
            }
        }
        router.get("experiments/:id/report") { request, context in
            try await page(request) { principal, csrf in try await reportPage(try context.parameters.require("id"), principal, csrf) }
        }
        router.get("experiments/:id/batches/:index") { request, context in
            try await page(request) { principal, csrf in
                let index = try context.parameters.require("index", as: Int.self)
                let map = try await backend.client().batchMap(experimentID: try context.parameters.require("id"), cells: 1, batchIndex: index)
                return html(map.batch == nil ? .notFound : .ok, ConsolePages.batch(map, index: index, principal: principal, csrf: csrf))
            }
        }
        router.get("api/v1/experiments/:id/batches") { request, context in
            try await api(request) { _ in
                let cells = request.uri.queryParameters["cells"].flatMap { Int(String($0)) } ?? 2_000
                return try json(.ok, try await backend.client().batchMap(experimentID: try context.parameters.require("id"), cells: cells))
            }
        }
        router.get("experiments/:id/:action") { request, context in
            try await page(request, role: .`operator`) { principal, csrf in
                let (id, action) = try target(context)
                guard let status = try await backend.client().status(experimentID: id) else { return notFound(id, principal, csrf) }
                return html(.ok, ConsolePages.confirm(action, status, principal: principal, csrf: csrf ?? ""))
            }
        }
        router.post("experiments/:id/:action") { request, context in
            var request = request
            let form = try await access.form(&request)
            return try await page(request, role: .`operator`, form: form) { principal, csrf in
                let (id, action) = try target(context)
                _ = try await perform(action, id, principal)
                return Response.redirect(to: "/experiments/\(HTML.component(id))", type: .found)
            }
        }
        router.get("api/v1/openapi.json") { request, _ in
            try await api(request) { _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleOpenAPI.document)))
            }
        }
        registerDeadLetters(on: router)
        registerEvents(on: router)
        router.get("api/v1/experiments") { request, _ in
            try await api(request) { _ in
                let query = Self.listQuery(request)
                let (experiments, more) = try await backend.list(query)
                return try json(.ok, APIList(experiments: experiments, page: query.page, more: more))
            }
        }
        router.get("api/v1/experiments/:id") { request, context in
            try await api(request) { _ in
                let id = try context.parameters.require("id")
                guard let status = try await backend.client().status(experimentID: id) else { return try json(.notFound, APIError("unknown experiment \(id)")) }
                return try json(.ok, status)
            }
        }
        router.post("api/v1/experiments/:id/:action") { request, context in
            try await api(request, role: .`operator`) { principal in
                let (id, action) = try target(context)
                guard let status = try await perform(action, id, principal) else { return try json(.notFound, APIError("unknown experiment \(id)")) }
                return try json(.ok, status)
            }
        }
    }

    /// Dead letters: read (a viewer may), replayed one or selected (an operator, confirmed).
    private func registerDeadLetters(on router: Router<BasicRequestContext>) {
        router.get("dead-letters") { request, _ in
            try await page(request) { principal, csrf in
                let reason = request.uri.queryParameters["reason"].map(String.init) ?? ""
                let letters = try await backend.client().deadLetters(limit: Self.deadLetterLimit).filter { reason.isEmpty || $0.reason.hasPrefix(reason) }
                return html(.ok, ConsolePages.deadLetters(letters, reason: reason, principal: principal, csrf: csrf))
            }
        }
        router.get("dead-letters/:id") { request, context in
            try await page(request) { principal, csrf in
                let id = try context.parameters.require("id")
                guard let letter = try await backend.client().deadLetters(limit: Self.deadLetterLimit).first(where: { $0.messageID == id }) else {
                    return html(
                        .notFound,
                        ConsolePages.message("Unknown dead letter", "No dead letter \(id) (it may have been replayed).", principal: principal, csrf: csrf))
                }
                return html(.ok, ConsolePages.deadLetter(letter, principal: principal, csrf: csrf))
            }
        }
        router.post("dead-letters/replay") { request, _ in
            var request = request
            let form = try await access.form(&request)
            return try await page(request, role: .`operator`, form: form) { principal, csrf in
                let ids = form.all("id")
                guard !ids.isEmpty else { return Response.redirect(to: "/dead-letters", type: .found) }
                guard form["confirm"] == "yes" else { return html(.ok, ConsolePages.confirmReplay(ids, principal: principal, csrf: csrf ?? "")) }
                _ = try await replay(ids, principal)
                return Response.redirect(to: "/dead-letters", type: .found)
            }
        }
        router.get("api/v1/dead-letters") { request, _ in
            try await api(request) { _ in try json(.ok, try await backend.client().deadLetters(limit: Self.deadLetterLimit)) }
        }
        router.post("api/v1/dead-letters/replay") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 65_536)
            return try await api(request, role: .`operator`) { principal in
                guard let selection = try? JSONDecoder().decode(ReplaySelection.self, from: Data(body.readableBytesView)), !selection.ids.isEmpty else {
                    return try json(.badRequest, APIError(#"the body must be {"ids": ["<message id>", …]}"#))
                }
                return try json(.ok, try await replay(selection.ids, principal))
            }
        }
    }

    static let deadLetterLimit = 500

    private func replay(_ ids: [String], _ principal: ConsolePrincipal) async throws -> [DeadLetter] {
        let wanted = Set(ids)
        logger.notice(
            "console action", metadata: ["tributary.console_user": "\(principal.name)", "tributary.action": "replay", "tributary.count": "\(ids.count)"])
        return try await backend.client().replayDeadLetters(limit: Self.deadLetterLimit) { $0.messageID.map(wanted.contains) ?? false }
    }

    // MARK: Access

    /// A page: signed in (else to the sign-in page), of `role`, and for a POST with the
    /// session's CSRF token in `form`.
    func page(
        _ request: Request, role: ConsoleRole = .viewer, form: ConsoleForm? = nil,
        _ body: (ConsolePrincipal, String?) async throws -> Response
    ) async throws -> Response {
        switch access.authenticate(request) {
        case .refused(let reason):
            return html(.unauthorized, ConsolePages.signIn(error: reason))
        case nil:
            return Response.redirect(to: "/sign-in", type: .found)
        case .signedIn(let principal, let csrf):
            guard principal.role >= role else {
                return html(.forbidden, ConsolePages.message("Not allowed", "This needs the \(role.rawValue) role.", principal: principal, csrf: csrf))
            }
            if request.method == .post, let csrf, form?["csrf"] != csrf {
                return html(
                    .forbidden,
                    ConsolePages.message("Not allowed", "The form's CSRF token is missing or stale: reload the page.", principal: principal, csrf: csrf))
            }
            return try await answer {
                try await body(principal, csrf)
            } failed: {
                html(.serviceUnavailable, ConsolePages.message("Unavailable", $0, principal: principal, csrf: csrf))
            }
        }
    }

    /// An API call: a bearer token or a session (then a POST needs `X-CSRF-Token`), of `role`.
    private func api(_ request: Request, role: ConsoleRole = .viewer, _ body: (ConsolePrincipal) async throws -> Response) async throws -> Response {
        switch access.authenticate(request) {
        case .refused(let reason):
            return try json(.unauthorized, APIError(reason), headers: [.wwwAuthenticate: "Bearer"])
        case nil:
            return try json(.unauthorized, APIError("sign in, or send Authorization: Bearer <token>"), headers: [.wwwAuthenticate: "Bearer"])
        case .signedIn(let principal, let csrf):
            guard principal.role >= role else { return try json(.forbidden, APIError("this needs the \(role.rawValue) role")) }
            if request.method == .post, let csrf, request.headers[.csrfToken] != csrf {
                return try json(.forbidden, APIError("a session's POST needs its CSRF token in X-CSRF-Token"))
            }
            return try await answer {
                try await body(principal)
            } failed: {
                try json(.serviceUnavailable, APIError($0))
            }
        }
    }

    /// Runs `body`; an orchestrator that does not answer is the console's 503, not a crash.
    private func answer(_ body: () async throws -> Response, failed: (String) throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as HTTPError {
            throw error
        } catch let error as TributaryClientError {
            return try failed("the orchestrator did not answer: \(error)")
        } catch let error as ConsoleUnavailable {
            return try failed(error.message)
        }
    }

    private func signIn(_ request: Request) async throws -> Response {
        var request = request
        let form = try await access.form(&request)
        switch access.signIn(token: form["token"] ?? "", request: request) {
        case .limited:
            return html(.tooManyRequests, ConsolePages.signIn(error: "Too many failed sign-ins: wait a minute."))
        case .refused:
            logger.notice("console sign-in refused")
            return html(.unauthorized, ConsolePages.signIn(error: "That token is not valid."))
        case .full:
            return html(.serviceUnavailable, ConsolePages.signIn(error: "Too many sessions are open; try again later."))
        case .signedIn(let principal, let cookie):
            logger.notice("console sign-in", metadata: ["tributary.console_user": "\(principal.name)", "tributary.console_role": "\(principal.role.rawValue)"])
            var response = Response.redirect(to: "/", type: .found)
            response.setCookie(cookie)
            return response
        }
    }

    private func signOut(_ request: Request) async throws -> Response {
        var request = request
        let form = try await access.form(&request)
        return try await page(request, form: form) { _, _ in
            var response = Response.redirect(to: "/sign-in", type: .found)
            if let cookie = access.signOut(request) { response.setCookie(cookie) }
            return response
        }
    }

    // MARK: Pages

    private func experimentsPage(_ request: Request, _ principal: ConsolePrincipal, _ csrf: String?) async throws -> Response {
        let query = Self.listQuery(request)
        let (experiments, more) = try await backend.list(query)
        return html(.ok, ConsolePages.experiments(experiments, query: query, more: more, principal: principal, csrf: csrf, now: Date()))
    }

    private func experimentPage(_ id: String, _ principal: ConsolePrincipal, _ csrf: String?) async throws -> Response {
        let client = try backend.client()
        let reply = try await client.explain(experimentID: id)
        guard let status = reply.status else { return notFound(id, principal, csrf) }
        let map = try? await client.batchMap(experimentID: id)
        return html(.ok, ConsolePages.experiment(status, batches: reply.batches ?? [], map: map, principal: principal, csrf: csrf, now: Date()))
    }

    /// report.html as `submit --out` writes it, framed by the experiment's page. Its scripts
    /// (Vega compiles expressions, so it needs eval) run sandboxed, in an origin of their own:
    /// they can reach neither the session nor the console's API.
    private func reportPage(_ id: String, _ principal: ConsolePrincipal, _ csrf: String?) async throws -> Response {
        guard let status = try await backend.client().status(experimentID: id) else { return notFound(id, principal, csrf) }
        guard status.state == .completed, let output = try status.synthesisOutput() else {
            let text = "Experiment \(id) is \(status.state.rawValue): only a completed experiment has a report."
            return html(.notFound, ConsolePages.message("No report yet", text, principal: principal, csrf: csrf))
        }
        // A table too large for the result message is in the content store, which the console does not read.
        let page = ReportPage.html(output, scores: output.scoresCsvRef == nil ? output.scoresCsv : nil)
        var response = html(.ok, page)
        response.headers[.init("X-Frame-Options")!] = "SAMEORIGIN"
        response.headers[.init("Content-Security-Policy")!] =
            "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
        return response
    }

    private func notFound(_ id: String, _ principal: ConsolePrincipal, _ csrf: String?) -> Response {
        html(.notFound, ConsolePages.message("Unknown experiment", "No experiment \(id).", principal: principal, csrf: csrf))
    }

    private func target(_ context: BasicRequestContext) throws -> (String, ConsoleAction) {
        let id = try context.parameters.require("id")
        guard let action = ConsoleAction(rawValue: try context.parameters.require("action")) else { throw HTTPError(.notFound) }
        return (id, action)
    }

    /// The control request, logged with who asked (the token's name, never the token).
    private func perform(_ action: ConsoleAction, _ id: String, _ principal: ConsolePrincipal) async throws -> ExperimentStatus? {
        let client = try backend.client()
        logger.notice(
            "console action",
            metadata: ["tributary.console_user": "\(principal.name)", "tributary.action": "\(action.rawValue)", "tributary.experiment_id": "\(id)"])
        switch action {
        case .cancel: return try await client.cancel(experimentID: id)
        case .retry: return try await client.retry(experimentID: id)
        case .pause: return try await client.pause(experimentID: id)
        case .resume: return try await client.resume(experimentID: id)
        }
    }

    static func listQuery(_ request: Request) -> ConsolePages.ListQuery {
        let parameters = request.uri.queryParameters
        let state = parameters["state"].flatMap { ExperimentState(rawValue: String($0)) }
        let page = parameters["page"].flatMap { Int(String($0)) }.map { max(1, min($0, 10_000)) } ?? 1
        return ConsolePages.ListQuery(state: state, search: parameters["q"].map { String($0.prefix(200)) } ?? "", page: page)
    }
}

private struct APIError: Encodable {
    var error: String
    init(_ error: String) { self.error = error }
}

private struct ReplaySelection: Decodable {
    var ids: [String]
}

private struct APIList: Encodable {
    var experiments: [ExperimentStatus]
    var page: Int
    var more: Bool
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}

func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
    Response(
        status: status,
        headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("X-Frame-Options")!: "DENY",
            .init("Content-Security-Policy")!: "default-src 'self'; style-src 'unsafe-inline'",
        ],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

func json(_ status: HTTPResponse.Status, _ value: some Encodable, headers extra: HTTPFields = [:]) throws -> Response {
    var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
    headers.append(contentsOf: extra)
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try MessageCoding.encode(value) + [0x0A])))
}
