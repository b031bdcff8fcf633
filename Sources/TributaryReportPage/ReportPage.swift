import Foundation
import TributaryCore

/// report.html: the report with its charts, one file that opens offline. The charts are
/// Vega specifications drawn by the Vega inlined in the page; the numbers are in tables too,
/// so the page says everything without JavaScript.
public enum ReportPage {
    /// The page for a synthesis output; `scores` is scores.csv, from which the spread of each
    /// group's scores is drawn (without it, the charts show the groups' means alone).
    public static func html(_ output: CorpusSynthesisOutput, scores: String?) -> String {
        let report = output.report
        let table = scores.map(ScoreTable.init(csv:))
        let order = dimensionOrder(report, table: table)
        var charts: [ReportCharts.Chart] = [ReportCharts.coverage(report.coverage)]
        var body = [header(report), coverageSection(report), scoresSection(report, order: order)]
        let distributions = distributionSection(report, table: table, order: order)
        body.append(distributions.html)
        charts += distributions.charts
        if order.count > 1 {
            let chart = ReportCharts.correlations(report.correlations, order: order)
            charts.append(chart)
            body.append(
                section("correlations", "Correlations (Pearson r)", figure(chart.id, caption: "Between every pair of dimensions, over the analysed documents."))
            )
        }
        for part in [reliabilitySection(report), agreementSection(report)] {
            guard let part else { continue }
            body.append(part.html)
            charts += part.charts
        }
        body.append(topDocumentsSection(report, order: order))
        if let provenance = report.provenance { body.append(provenanceSection(provenance)) }
        return document(title: report.experiment, body: body.joined(separator: "\n"), charts: charts)
    }

    /// Dimensions in the framework's order, which scores.csv keeps; else by name.
    static func dimensionOrder(_ report: CorpusReport, table: ScoreTable?) -> [String] {
        let names = Set(report.dimensions.keys)
        let fromTable = (table?.header ?? []).compactMap { column -> String? in
            guard column.hasSuffix("_raw_score") else { return nil }
            let name = String(column.dropLast("_raw_score".count))
            return names.contains(name) ? name : nil
        }
        return fromTable.count == names.count ? fromTable : names.sorted()
    }

    static func format(_ value: Double?, digits: Int = 3) -> String { ReportText.number(value, digits: digits) }

    static func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(HTMLText.escape(title))</h2>\n\(content)\n</section>"
    }

    static func figure(_ chart: String, caption: String, data: [String: String] = [:]) -> String {
        let attributes = data.sorted { $0.key < $1.key }.map { " data-\($0.key)=\"\(HTMLText.escape($0.value))\"" }.joined()
        return "<figure\(attributes)><div class=\"chart\" id=\"\(chart)\"></div><figcaption>\(caption)</figcaption></figure>"
    }

    static func header(_ report: CorpusReport) -> String {
        var lines = ["<header><h1>\(HTMLText.escape(report.experiment))</h1>"]
        lines.append(
            "<p class=\"meta\">Framework \(HTMLText.escape(report.framework)); \(report.documentCount) documents, \(report.totalWords) words, \(report.batchCount) batches\(report.run > 1 ? "; run \(report.run)" : "").</p>"
        )
        if !report.researchQuestion.isEmpty { lines.append("<p><strong>Research question:</strong> \(HTMLText.escape(report.researchQuestion))</p>") }
        return lines.joined() + "</header>"
    }

    static func coverageSection(_ report: CorpusReport) -> String {
        let coverage = report.coverage
        let share = coverage.documentsPlanned > 0 ? Double(coverage.documentsAnalysed) * 100 / Double(coverage.documentsPlanned) : 0
        var text = "\(coverage.documentsAnalysed) of \(coverage.documentsPlanned) planned documents analysed (\(String(format: "%.1f", share)) %)."
        if !coverage.failedBatches.isEmpty {
            let failed = coverage.failedBatches.map {
                "<li>batch \($0.batchIndex): \($0.documentIds.count) documents, \($0.attempts) attempts: \(HTMLText.escape($0.error))</li>"
            }
            text += " Statistics use the analysed documents only. Failed for good:<ul>\(failed.joined())</ul>"
        }
        return section("coverage", "Coverage", figure("chart-coverage", caption: text))
    }

    static func scoresSection(_ report: CorpusReport, order: [String]) -> String {
        var rows = ["<tr><th>variable</th><th>N</th><th>mean</th><th>SD</th><th>median</th><th>min</th><th>max</th><th>95 % CI</th></tr>"]
        let variables =
            order.compactMap { name in report.dimensions[name].map { (name, $0) } }
            + report.derivedMetrics.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (name, stats) in variables {
            let interval = stats.confidenceInterval95.map { "[\(format($0[0])), \(format($0[1]))]" } ?? "–"
            let cells = [stats.mean, stats.standardDeviation, stats.median, stats.min, stats.max].map { "<td class=\"n\">\(format($0))</td>" }
            rows.append("<tr><td>\(HTMLText.escape(name))</td><td class=\"n\">\(stats.n)</td>\(cells.joined())<td class=\"n\">\(interval)</td></tr>")
        }
        return section("scores", "Scores", "<table>\(rows.joined(separator: "\n"))</table>")
    }
}
