import Foundation
import TributaryCore

/// The batch grid: a cell per batch, or per range of batches once there are more than the
/// grid holds, coloured by the most urgent state inside it.
extension ConsolePages {
    static let gridStyle = """
        .grid{display:flex;flex-wrap:wrap;gap:2px;margin:.5em 0}.grid a{width:11px;height:11px;display:block;border-radius:2px}
        .s-pending{background:#d0d5dd}.s-dispatched{background:#53b1fd}.s-retry_wait{background:#fdb022}.s-succeeded{background:#32d583}.s-failed{background:#f04438}
        .legend span{display:inline-block;width:11px;height:11px;border-radius:2px;margin:0 .3em 0 1em;vertical-align:middle}
        """

    static func stateName(_ state: BatchStatus.State) -> String { state == .succeeded ? "completed" : state.rawValue }

    /// The grid's inner HTML, which the script fetches again as events arrive.
    static func grid(_ map: BatchMapReply) -> String {
        guard map.batchCount > 0 else { return "<p class=\"muted\">No batches planned yet.</p>" }
        let id = HTML.component(map.experimentID)
        var html = "<div class=\"grid\">"
        for cell in map.cells {
            let counts = BatchStatus.State.allCases.compactMap { state in cell.counts[state.rawValue].map { "\($0) \(stateName(state))" } }.joined(
                separator: ", ")
            let range = cell.first == cell.last ? "batch \(cell.first)" : "batches \(cell.first)–\(cell.last)"
            html += "<a class=\"s-\(cell.state.rawValue)\" href=\"/experiments/\(id)/batches/\(cell.first)\" title=\"\(range): \(HTML.escape(counts))\"></a>"
        }
        html += "</div>"
        let perCell = map.cells.first.map { $0.last - $0.first + 1 } ?? 1
        html += "<p class=\"legend muted\">\(map.batchCount) batches\(perCell > 1 ? ", \(perCell) to a cell" : "")"
        for state in BatchStatus.State.allCases { html += "<span class=\"s-\(state.rawValue)\"></span>\(stateName(state))" }
        return html + "</p>"
    }

    static func batch(_ map: BatchMapReply, index: Int, principal: ConsolePrincipal, csrf: String?) -> String {
        let back = "/experiments/\(HTML.component(map.experimentID))"
        guard let batch = map.batch else {
            return message("Unknown batch", "Experiment \(map.experimentID) has no batch \(index).", principal: principal, csrf: csrf)
        }
        var facts: [(String, String)] = [
            ("state", stateName(batch.state)), ("attempt", "\(batch.attempt)"), ("worker", batch.workerID ?? "–"),
            ("last error", batch.lastError ?? "–"),
        ]
        if let dispatched = batch.dispatchedAt { facts.append(("dispatched", "\(dispatched)")) }
        if let due = batch.dueAt { facts.append(("due", "\(due)")) }
        var body = "<h1>Batch \(index) <span class=\"muted\"><a href=\"\(back)\">\(HTML.escape(map.experimentID))</a></span></h1><div class=\"box\"><dl>"
        for (name, value) in facts { body += "<dt>\(name)</dt><dd>\(HTML.escape(value))</dd>" }
        body += "</dl></div><h2>Documents</h2><ul>"
        for document in map.documentIDs ?? [] { body += "<li>\(HTML.escape(document))</li>" }
        body += "</ul>"
        // A cell of a range links to its first batch: the rest are a click away in the list.
        return HTML.page("Batch \(index)", principal: principal, csrf: csrf, body)
    }
}
