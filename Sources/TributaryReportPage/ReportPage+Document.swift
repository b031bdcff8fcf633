import TributaryCore

extension ReportPage {
    static let style = """
        body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64em;padding:1em 2em 3em;color:#1d2430}
        header{border-bottom:3px solid #17324d;margin-bottom:1em}h1{margin:.2em 0}.meta{color:#5a6472;margin:.2em 0}
        h2{margin-top:1.8em;border-bottom:1px solid #dde1e6;padding-bottom:.2em}h3{margin-bottom:.3em}
        table{border-collapse:collapse}th,td{padding:.25em .7em;border-bottom:1px solid #e4e7eb;text-align:left}.n{text-align:right;font-variant-numeric:tabular-nums}
        figure{margin:1em 0 1.5em}figcaption{color:#39424e;max-width:48em}.chart svg{max-width:100%;height:auto}
        blockquote{margin:.3em 0 .3em 1em;padding-left:.7em;border-left:3px solid #c9d3df;color:#39424e}mark{background:#ffe58a;padding:0 .1em}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(22em,1fr));gap:0 1.5em}
        .note{background:#fff6d8;padding:.4em .8em}footer{margin-top:3em;color:#5a6472;font-size:.85em}
        """

    /// Draws every chart as SVG, then marks the page `data-charts="drawn"` (or `failed`, with why).
    static let renderScript = """
        (function () {
          var specs = JSON.parse(document.getElementById("report-charts").textContent);
          var runs = Object.keys(specs).map(function (id) {
            return new vega.View(vega.parse(specs[id]), { renderer: "svg", container: "#" + id, hover: false }).runAsync();
          });
          Promise.all(runs).then(function () { document.body.dataset.charts = "drawn"; }, function (error) {
            document.body.dataset.charts = "failed";
            var note = document.createElement("p");
            note.className = "note";
            note.textContent = "The charts could not be drawn: " + error;
            document.body.insertBefore(note, document.body.firstChild);
          });
        })();
        """

    static func document(title: String, body: String, charts: [ReportCharts.Chart]) -> String {
        let specs = JSONValue.object(Dictionary(charts.map { ($0.id, $0.spec) }, uniquingKeysWith: { first, _ in first }))
        let json = (try? MessageCoding.encode(specs)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title)) — report</title><style>\(style)</style></head>
            <body data-charts="pending">
            <noscript><p class="note">The charts need JavaScript; the tables and captions hold their numbers.</p></noscript>
            \(body)
            <footer>Written by Tributary. Charts drawn by Vega \(VendoredVega.version) (BSD-3-Clause), inlined: this file needs nothing else.</footer>
            <script type="application/json" id="report-charts">\(HTMLText.scriptJSON(json))</script>
            <script>\(VendoredVega.script)</script>
            <script>\(renderScript)</script>
            </body></html>
            """
    }
}
