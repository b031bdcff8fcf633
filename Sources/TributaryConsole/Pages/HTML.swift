import Foundation
import TributaryReportPage

/// Server-rendered pages: plain HTML and one style sheet, so every page works without
/// JavaScript. Every value from an experiment goes through ``escape(_:)``.
enum HTML {
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// A query or path component.
    static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    }

    static let style = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
        header{background:#17324d;color:#fff;padding:.6em 1.5em;display:flex;gap:1.5em;align-items:center}
        header a{color:#fff;text-decoration:none;font-weight:600}header form{margin-left:auto}
        main{padding:1.2em 1.5em;max-width:1200px}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.35em .6em;border-bottom:1px solid #e2e5ea;text-align:left;vertical-align:top}
        th{background:#eef1f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
        progress{width:9em;height:.9em}.state{font-weight:600}.failed{color:#b42318}.completed{color:#067647}.cancelled{color:#667085}.paused{color:#b54708}
        iframe.report{width:100%;height:80vh;border:1px solid #dde1e6;background:#fff;border-radius:6px}
        .box{background:#fff;border:1px solid #e2e5ea;padding:1em;margin:.8em 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;margin:0}dt{color:#475467}
        button,input,select{font:inherit;padding:.25em .6em}.actions form{display:inline}.danger{background:#b42318;color:#fff;border:0}
        .error{background:#fef3f2;border:1px solid #fecdca;padding:.6em 1em}.muted{color:#667085}nav.pages a{margin-right:.8em}
        """

    /// A whole page. `principal` and `csrf` show who is signed in and let them sign out.
    static func page(_ title: String, principal: ConsolePrincipal?, csrf: String?, _ body: String) -> String {
        var header = #"<header><a href="/">Tributary</a><a href="/">Experiments</a><a href="/dead-letters">Dead letters</a>"#
        if let principal {
            header += "<span class=\"muted\">\(escape(principal.name)) (\(principal.role.rawValue))</span>"
            if let csrf {
                header += #"<form method="post" action="/sign-out"><input type="hidden" name="csrf" value="\#(escape(csrf))"><button>Sign out</button></form>"#
            }
        }
        header += "</header>"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(escape(title)) · Tributary</title><style>\(style)\(ConsolePages.gridStyle)</style></head>
            <body>\(header)<main>\(body)</main><script src="/assets/console.js" defer></script></body></html>
            """
    }
}
