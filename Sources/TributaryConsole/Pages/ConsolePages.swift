import Foundation
import TributaryCore

/// The console's pages, from the contract's answers alone.
enum ConsolePages {
    static let pageSize = 50

    static func signIn(error: String?) -> String {
        let problem = error.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? ""
        return HTML.page(
            "Sign in", principal: nil, csrf: nil,
            """
            <h1>Sign in</h1>\(problem)
            <form method="post" action="/sign-in" class="box">
            <label>Token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
            <button>Sign in</button></form>
            """)
    }

    static func message(_ title: String, _ text: String, principal: ConsolePrincipal?, csrf: String?) -> String {
        HTML.page(
            title, principal: principal, csrf: csrf,
            "<h1>\(HTML.escape(title))</h1><p class=\"error\">\(HTML.escape(text))</p><p><a href=\"/\">Experiments</a></p>")
    }

    /// Ended batches of all, as a bar and as text.
    static func progress(_ status: ExperimentStatus) -> String {
        let ended = status.batchesCompleted + status.failedBatches
        guard status.batchCount > 0 else { return "<span class=\"muted\">not planned</span>" }
        return
            "<progress max=\"\(status.batchCount)\" value=\"\(ended)\">\(ended)/\(status.batchCount)</progress> <span data-field=\"ended\">\(ended)/\(status.batchCount)</span>"
    }

    static func state(_ status: ExperimentStatus) -> String {
        let reason = status.pauseReason.map { " (\($0.rawValue))" } ?? ""
        return "<span class=\"state \(status.state.rawValue)\" data-field=\"state\">\(status.state.rawValue)\(reason)</span>"
    }

    static func age(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7_200 { return "\(seconds / 60) min" }
        if seconds < 172_800 { return "\(seconds / 3_600) h" }
        return "\(seconds / 86_400) d"
    }

    static func cost(_ status: ExperimentStatus) -> String {
        guard let ledger = status.ledger else { return "" }
        return String(format: "%.4f", ledger.cost)
    }

    struct ListQuery {
        var state: ExperimentState?
        var search: String
        var page: Int
    }

    static func experiments(_ experiments: [ExperimentStatus], query: ListQuery, more: Bool, principal: ConsolePrincipal, csrf: String?, now: Date)
        -> String
    {
        let states = ExperimentState.allCases.map { state in
            "<option\(query.state == state ? " selected" : "")>\(state.rawValue)</option>"
        }
        var body = """
            <h1>Experiments</h1>
            <form method="get" action="/" class="box">
            <label>State <select name="state"><option value="">any</option>\(states.joined())</select></label>
            <label>Search <input name="q" value="\(HTML.escape(query.search))" placeholder="id or name"></label>
            <button>Show</button></form>
            <table data-events="/events"><thead><tr><th>experiment</th><th>name</th><th>state</th><th>progress</th><th>failed</th><th>in flight</th><th>retries</th><th>age</th><th>cost</th></tr></thead><tbody>
            """
        for status in experiments {
            let link = "/experiments/\(HTML.component(status.experimentID))"
            body += """
                <tr data-experiment="\(HTML.escape(status.experimentID))"><td><a href="\(link)">\(HTML.escape(status.experimentID))</a></td><td>\(HTML.escape(status.name))</td><td>\(state(status))</td>\
                <td>\(progress(status))</td><td class="n" data-field="failed">\(status.failedBatches)</td><td class="n" data-field="in_flight">\(status.inFlight)</td><td class="n" data-field="retries">\(status.retries)</td>\
                <td class="n">\(age(status.lastProgressAt, now: now))</td><td class="n">\(cost(status))</td></tr>
                """
        }
        if experiments.isEmpty { body += "<tr><td colspan=\"9\" class=\"muted\">No experiments.</td></tr>" }
        body += "</tbody></table><nav class=\"pages\">"
        func link(_ page: Int) -> String {
            var parts = ["page=\(page)"]
            if let state = query.state { parts.append("state=\(state.rawValue)") }
            if !query.search.isEmpty { parts.append("q=\(HTML.component(query.search))") }
            return "/?" + parts.joined(separator: "&amp;")
        }
        if query.page > 1 { body += "<a href=\"\(link(query.page - 1))\">← newer</a>" }
        if more { body += "<a href=\"\(link(query.page + 1))\">older →</a>" }
        body += "</nav>"
        return HTML.page("Experiments", principal: principal, csrf: csrf, body)
    }

    /// What an operator may do to an experiment in its state.
    static func actions(for status: ExperimentStatus) -> [ConsoleAction] {
        switch status.state {
        case .completed: status.failedBatches > 0 ? [.retry] : []
        case .failed: [.retry]
        case .paused: [.resume, .cancel]
        case .cancelled: []
        case .analysing: [.pause, .cancel]
        default: [.cancel]
        }
    }

    static func experiment(
        _ status: ExperimentStatus, batches: [BatchStatus], map: BatchMapReply?, principal: ConsolePrincipal, csrf: String?, now: Date
    ) -> String {
        var facts: [(String, String)] = [
            ("state", state(status)), ("progress", progress(status) + " <span data-field=\"rate\" class=\"muted\"></span>"),
            (
                "batches",
                "<span data-field=\"batches\">\(status.batchesCompleted) completed, \(status.failedBatches) failed for good, \(status.inFlight) in flight, of \(status.batchCount)</span>"
            ),
            ("documents planned", "\(status.documentsPlanned)"), ("retries", "\(status.retries)"),
            ("duplicates ignored", "\(status.duplicatesIgnored)"), ("run", "\(status.run)"),
            ("last progress", "\(age(status.lastProgressAt, now: now)) ago"),
        ]
        if let model = status.model, let ledger = status.ledger {
            facts.append(
                (
                    "model \(HTML.escape(model))",
                    "\(ledger.requests) requests, \(ledger.inputTokens) in + \(ledger.outputTokens) out tokens, cost \(cost(status))"
                ))
        }
        if let cache = status.cache {
            facts.append(("cache", "\(cache.mode.rawValue): \(cache.documentsFromCache) documents from the cache, \(cache.documentsStored) stored"))
        }
        if let trace = status.traceID { facts.append(("trace id", "<code>\(HTML.escape(trace))</code>")) }
        if let error = status.error { facts.append(("error", "<span class=\"failed\">\(HTML.escape(error))</span>")) }
        for warning in status.warnings { facts.append(("warning", HTML.escape(warning))) }
        let events = "/experiments/\(HTML.component(status.experimentID))/events"
        var body = "<div data-events=\"\(events)\" data-experiment=\"\(HTML.escape(status.experimentID))\">"
        body += "<h1>\(HTML.escape(status.name)) <span class=\"muted\">\(HTML.escape(status.experimentID))</span></h1><div class=\"box\"><dl>"
        for (name, value) in facts { body += "<dt>\(name)</dt><dd>\(value)</dd>" }
        body += "</dl></div>"
        if principal.role == .`operator` {
            let available = actions(for: status)
            if !available.isEmpty {
                body += "<div class=\"actions box\">"
                for action in available {
                    body += "<a href=\"/experiments/\(HTML.component(status.experimentID))/\(action.rawValue)\"><button>\(action.title)…</button></a> "
                }
                body += "</div>"
            }
        }
        if status.state == .completed, status.report != nil {
            let report = "/experiments/\(HTML.component(status.experimentID))/report"
            body += """
                <h2>Report</h2><p><a href="\(report)" target="_blank">Open the report</a>: report.html, as <code>tributary submit --out</code> and \
                <code>tributary export</code> write it.</p><iframe class="report" src="\(report)" title="Report"></iframe>
                """
        }
        let gridPath = "/experiments/\(HTML.component(status.experimentID))/grid"
        body += "<h2>Batches</h2><div data-grid=\"\(gridPath)\">\(map.map(grid) ?? "<p class=\"muted\">The batch grid is not available.</p>")</div>"
        body +=
            "<h2>Batches not completed</h2><table><thead><tr><th>batch</th><th>state</th><th>attempt</th><th>worker</th><th>last error</th></tr></thead><tbody>"
        for batch in batches {
            body += """
                <tr><td class="n">\(batch.batchIndex)</td><td>\(batch.state.rawValue)</td><td class="n">\(batch.attempt)</td>\
                <td>\(HTML.escape(batch.workerID ?? ""))</td><td>\(HTML.escape(batch.lastError ?? ""))</td></tr>
                """
        }
        if batches.isEmpty { body += "<tr><td colspan=\"5\" class=\"muted\">None.</td></tr>" }
        body += "</tbody></table></div>"
        return HTML.page(status.name, principal: principal, csrf: csrf, body)
    }

    /// The confirmation every action goes through: a page with what it will do and a form.
    static func confirm(_ action: ConsoleAction, _ status: ExperimentStatus, principal: ConsolePrincipal, csrf: String) -> String {
        let target = "/experiments/\(HTML.component(status.experimentID))/\(action.rawValue)"
        return HTML.page(
            action.title, principal: principal, csrf: csrf,
            """
            <h1>\(action.title) \(HTML.escape(status.name))?</h1><p>\(action.explanation)</p>
            <form method="post" action="\(target)" class="box"><input type="hidden" name="csrf" value="\(HTML.escape(csrf))">
            <button class="danger">\(action.title)</button> <a href="/experiments/\(HTML.component(status.experimentID))">Back</a></form>
            """)
    }
}

/// What an operator may ask of an experiment; each is a control request of the contract.
enum ConsoleAction: String, CaseIterable, Sendable {
    case cancel, retry, pause, resume

    var title: String {
        switch self {
        case .cancel: "Cancel"
        case .retry: "Retry failed batches"
        case .pause: "Pause"
        case .resume: "Resume"
        }
    }

    var explanation: String {
        switch self {
        case .cancel: "No task of it will be sent again and it will never be synthesised. This cannot be undone."
        case .retry: "Every batch that did not succeed is sent again as a new run, then the report is made again."
        case .pause: "No new task goes out until it is resumed; tasks already out finish and are counted."
        case .resume: "Tasks go out again, within its budget."
        }
    }
}
