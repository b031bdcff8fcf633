import Foundation
import TributaryClient

/// The dead-letter queue, read without taking anything off it.
extension ConsolePages {
    static func deadLetters(_ letters: [DeadLetter], reason: String, principal: ConsolePrincipal, csrf: String?) -> String {
        let canReplay = principal.role == .`operator`
        var body = """
            <h1>Dead letters</h1>
            <form method="get" action="/dead-letters" class="box">
            <label>Reason starts with <input name="reason" value="\(HTML.escape(reason))" placeholder="malformed"></label> <button>Show</button></form>
            """
        if canReplay {
            body += "<form method=\"post\" action=\"/dead-letters/replay\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(csrf ?? ""))\">"
        }
        body +=
            "<table><thead><tr>\(canReplay ? "<th></th>" : "")<th>message</th><th>type</th><th>experiment</th><th>reason</th><th>from</th><th>deaths</th><th>bytes</th></tr></thead><tbody>"
        for letter in letters {
            let id = letter.messageID ?? ""
            let select =
                canReplay && !id.isEmpty ? "<td><input type=\"checkbox\" name=\"id\" value=\"\(HTML.escape(id))\"></td>" : (canReplay ? "<td></td>" : "")
            body += """
                <tr>\(select)<td><a href="/dead-letters/\(HTML.component(id))">\(HTML.escape(id))</a></td><td>\(HTML.escape(letter.type ?? ""))</td>\
                <td>\(HTML.escape(letter.experimentID ?? ""))</td><td>\(HTML.escape(letter.reason))</td><td>\(HTML.escape(letter.sourceQueue ?? ""))</td>\
                <td class="n">\(letter.deaths)</td><td class="n">\(letter.bodyBytes)</td></tr>
                """
        }
        if letters.isEmpty { body += "<tr><td colspan=\"8\" class=\"muted\">No dead letters.</td></tr>" }
        body += "</tbody></table>"
        if canReplay, !letters.isEmpty {
            body += "<p><button class=\"danger\" name=\"confirm\" value=\"no\">Replay selected…</button></p></form>"
        } else if canReplay {
            body += "</form>"
        }
        return HTML.page("Dead letters", principal: principal, csrf: csrf, body)
    }

    static func deadLetter(_ letter: DeadLetter, principal: ConsolePrincipal, csrf: String?) -> String {
        let id = letter.messageID ?? ""
        var body = "<h1>Dead letter <span class=\"muted\">\(HTML.escape(id))</span></h1><div class=\"box\"><dl>"
        let facts: [(String, String)] = [
            ("type", letter.type ?? ""), ("experiment", letter.experimentID ?? ""), ("reason", letter.reason), ("from", letter.sourceQueue ?? ""),
            ("deaths", "\(letter.deaths)"), ("bytes", "\(letter.bodyBytes)"),
        ]
        for (name, value) in facts { body += "<dt>\(name)</dt><dd>\(HTML.escape(value))</dd>" }
        body += "</dl></div><h2>Body</h2><pre class=\"box\">\(HTML.escape(String(letter.body.prefix(65_536))))</pre>"
        if principal.role == .`operator`, letter.sourceQueue != nil, !id.isEmpty {
            body += """
                <form method="post" action="/dead-letters/replay" class="box"><input type="hidden" name="csrf" value="\(HTML.escape(csrf ?? ""))">\
                <input type="hidden" name="id" value="\(HTML.escape(id))"><button class="danger" name="confirm" value="no">Replay…</button></form>
                """
        }
        return HTML.page("Dead letter", principal: principal, csrf: csrf, body)
    }

    /// The confirmation of a replay: the messages it will send back where they came from.
    static func confirmReplay(_ ids: [String], principal: ConsolePrincipal, csrf: String) -> String {
        let fields = ids.map { "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape($0))\">" }.joined()
        let list = ids.map { "<li><code>\(HTML.escape($0))</code></li>" }.joined()
        return HTML.page(
            "Replay", principal: principal, csrf: csrf,
            """
            <h1>Replay \(ids.count) dead letter\(ids.count == 1 ? "" : "s")?</h1><p>Each goes back to the queue it came from, without its dead-lettering headers.</p><ul>\(list)</ul>
            <form method="post" action="/dead-letters/replay" class="box"><input type="hidden" name="csrf" value="\(HTML.escape(csrf))">\(fields)
            <button class="danger" name="confirm" value="yes">Replay</button> <a href="/dead-letters">Back</a></form>
            """)
    }
}
