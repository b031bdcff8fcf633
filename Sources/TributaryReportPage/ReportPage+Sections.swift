import Foundation
import TributaryCore

extension ReportPage {
    struct Part {
        var html: String
        var charts: [ReportCharts.Chart]
    }

    /// Per variable, the distribution of document scores: by group with the group test's
    /// result beneath, or over all documents when the experiment has no groups.
    static func distributionSection(_ report: CorpusReport, table: ScoreTable?, order: [String]) -> Part {
        var figures: [String] = []
        var charts: [ReportCharts.Chart] = []
        let missing = table == nil ? " scores.csv was not at hand, so only the means are drawn." : ""
        if let field = report.groupBy {
            for (index, comparison) in report.groupComparisons.enumerated() {
                let values = table?.values(of: comparison.variable, groupBy: field) ?? []
                let chart = ReportCharts.distribution(
                    index: index, variable: comparison.variable, axis: field, summaries: comparison.groups, values: values)
                charts.append(chart)
                let caption = "<strong>\(HTMLText.escape(comparison.variable))</strong>: \(testResult(comparison.test)).\(missing)"
                figures.append(figure(chart.id, caption: caption, data: ["variable": comparison.variable]))
            }
            let title = "Scores by \(field)"
            return Part(html: section("distributions", title, grid(figures)), charts: charts)
        }
        let everyone = "all documents"
        for (index, name) in order.enumerated() {
            guard let stats = report.dimensions[name] else { continue }
            let values = (table?.values(of: name, groupBy: nil) ?? []).map { (id: $0.id, group: everyone, value: $0.value) }
            let summary = CorpusReport.GroupSummary(group: everyone, n: stats.n, mean: stats.mean, standardDeviation: stats.standardDeviation)
            let chart = ReportCharts.distribution(index: index, variable: name, axis: "", summaries: [summary], values: values)
            charts.append(chart)
            let caption = "<strong>\(HTMLText.escape(name))</strong>: \(stats.n) documents; the box spans the quartiles, the diamond is the mean.\(missing)"
            figures.append(figure(chart.id, caption: caption, data: ["variable": name]))
        }
        return Part(html: section("distributions", "Distribution of scores", grid(figures)), charts: charts)
    }

    static func grid(_ figures: [String]) -> String {
        "<div class=\"grid\">\(figures.joined(separator: "\n"))</div>"
    }

    static func testResult(_ test: TestResult?) -> String {
        guard let test else { return "no test: too few documents in a group" }
        let freedom = test.degreesOfFreedom.isEmpty ? "" : ", df \(test.degreesOfFreedom.map { format($0, digits: 1) }.joined(separator: ", "))"
        let p = test.pValue < 0.001 ? "p &lt; 0.001" : "p = \(format(test.pValue))"
        let effect = test.effectSize.map { ", \(HTMLText.escape(test.effectSizeName)) \(format($0))" } ?? ""
        return "\(HTMLText.escape(test.test)) \(format(test.statistic))\(freedom), \(p)\(effect)"
    }

    static func reliabilitySection(_ report: CorpusReport) -> Part? {
        let rows = report.reliability.sorted { $0.key < $1.key }.compactMap { name, alpha in
            alpha.flatMap { $0.isFinite ? (name: name, value: $0, interval: [Double]?.none) : nil }
        }
        guard !rows.isEmpty else { return nil }
        let chart = ReportCharts.bars(id: "chart-reliability", label: "alpha", rows: rows, title: "Cronbach's alpha")
        let html = section("reliability", "Index reliability", figure(chart.id, caption: "Cronbach's alpha of each index over its dimensions."))
        return Part(html: html, charts: [chart])
    }

    /// With replicates or several models: Krippendorff's alpha per dimension, with its
    /// bootstrap interval.
    static func agreementSection(_ report: CorpusReport) -> Part? {
        var figures: [String] = []
        var charts: [ReportCharts.Chart] = []
        let order = report.dimensions.keys.sorted()
        let kinds: [(String, [String: CorpusReport.Agreement]?, String)] = [
            ("replicates", report.replicateAgreement, "across \(report.replicates ?? 0) replicates of each document"),
            ("models", report.modelAgreement, "across the models \((report.models ?? []).joined(separator: ", "))"),
        ]
        for (label, agreement, across) in kinds {
            guard let agreement else { continue }
            let rows = order.compactMap { name -> (name: String, value: Double, interval: [Double]?)? in
                guard let entry = agreement[name], let alpha = entry.alpha, alpha.isFinite else { return nil }
                return (name, alpha, entry.alphaInterval95)
            }
            guard !rows.isEmpty else { continue }
            let chart = ReportCharts.bars(id: "chart-agreement-\(label)", label: label, rows: rows, title: "Krippendorff's alpha (interval)")
            charts.append(chart)
            let resamples =
                rows.contains { $0.interval != nil }
                ? agreement.values.first.map { " Lines: 95 % intervals from \($0.bootstrapResamples) bootstrap resamples of the documents." } ?? "" : ""
            figures.append(figure(chart.id, caption: "Agreement \(HTMLText.escape(across)).\(resamples)", data: ["agreement": label]))
        }
        guard !charts.isEmpty else { return nil }
        return Part(html: section("agreement", "Agreement", figures.joined(separator: "\n")), charts: charts)
    }

    static func topDocumentsSection(_ report: CorpusReport, order: [String]) -> String {
        var parts: [String] = []
        for name in order {
            let documents = report.topDocuments[name] ?? []
            guard !documents.isEmpty else { continue }
            let items = documents.map { document in
                let quotes = document.evidence.map { "<blockquote>\(HTMLText.highlight($0.phrase, in: $0.sentence))</blockquote>" }.joined()
                return "<li><strong>\(HTMLText.escape(document.id))</strong> <span class=\"n\">\(format(document.rawScore))</span>\(quotes)</li>"
            }
            parts.append("<h3>\(HTMLText.escape(name))</h3><ol>\(items.joined())</ol>")
        }
        return section("top-documents", "Highest-scoring documents", parts.isEmpty ? "<p>None.</p>" : parts.joined(separator: "\n"))
    }

    static func provenanceSection(_ provenance: ReportProvenance) -> String {
        section("provenance", "Model and provenance", "<ul>" + provenance.summary.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul>")
    }

}
