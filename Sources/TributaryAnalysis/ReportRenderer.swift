import Foundation
import TributaryCore

/// Renders a ``CorpusReport`` as Markdown for reading and the document scores as CSV for analysis.
public enum ReportRenderer {
    static func format(_ value: Double?, digits: Int = 3) -> String { ReportText.number(value, digits: digits) }

    static func formatP(_ p: Double) -> String { p < 0.001 ? "< 0.001" : String(format: "%.3f", p) }

    /// The first thing a reader sees: how much of the corpus the numbers below rest on.
    static func coverageLine(_ coverage: CorpusReport.ReportCoverage, run: Int) -> String {
        let runNote = run > 1 ? " (run \(run))" : ""
        guard !coverage.failedBatches.isEmpty else {
            return "**Coverage:** all \(coverage.documentsPlanned) planned documents analysed\(runNote)."
        }
        let share = coverage.documentsPlanned > 0 ? Double(coverage.documentsAnalysed) * 100 / Double(coverage.documentsPlanned) : 0
        let failed = coverage.failedBatches.map { "batch \($0.batchIndex) (\($0.documentIds.count) documents, \($0.attempts) attempts: \($0.error))" }
        return "**Coverage:** \(coverage.documentsAnalysed) of \(coverage.documentsPlanned) planned documents analysed "
            + "(\(String(format: "%.1f", share)) %)\(runNote); statistics use the analysed documents only. "
            + "Failed for good: \(failed.joined(separator: "; "))."
    }

    public static func markdown(_ report: CorpusReport, dimensionOrder: [String], metricOrder: [String]) -> String {
        var lines = ["# \(report.experiment)", ""]
        lines += [coverageLine(report.coverage, run: report.run), ""]
        if !report.researchQuestion.isEmpty { lines += ["**Research question:** \(report.researchQuestion)", ""] }
        lines += ["Framework \(report.framework); \(report.documentCount) documents, \(report.totalWords) words, \(report.batchCount) batches.", ""]
        lines += ["## Scores", "", "| variable | N | mean | SD | median | min | max | 95 % CI |", "|---|---|---|---|---|---|---|---|"]
        for (name, stats) in dimensionOrder.compactMap({ n in report.dimensions[n].map { (n, $0) } })
            + metricOrder.compactMap({ n in report.derivedMetrics[n].map { (n, $0) } })
        {
            let ci = stats.confidenceInterval95.map { "[\(format($0[0])), \(format($0[1]))]" } ?? "–"
            lines.append(
                "| \(name) | \(stats.n) | \(format(stats.mean)) | \(format(stats.standardDeviation)) | \(format(stats.median)) | \(format(stats.min)) | \(format(stats.max)) | \(ci) |"
            )
        }
        if dimensionOrder.count > 1 {
            lines += [
                "", "## Correlations (Pearson r)", "", "| | " + dimensionOrder.joined(separator: " | ") + " |",
                "|---|" + String(repeating: "---|", count: dimensionOrder.count),
            ]
            for a in dimensionOrder {
                lines.append("| \(a) | " + dimensionOrder.map { b in format(report.correlations[a]?[b] ?? nil) }.joined(separator: " | ") + " |")
            }
        }
        if !report.reliability.isEmpty {
            lines += ["", "## Reliability (Cronbach's alpha)", ""]
            for (name, alpha) in report.reliability.sorted(by: { $0.key < $1.key }) { lines.append("- \(name): \(format(alpha))") }
        }
        if let agreement = report.replicateAgreement, let replicates = report.replicates {
            lines += replicateSection(agreement, replicates: replicates, dimensionOrder: dimensionOrder)
        }
        if let agreement = report.modelAgreement, let models = report.models {
            lines += [
                "", "## Agreement across models (Krippendorff's alpha, interval)", "",
                "Each document was analysed by \(models.joined(separator: ", ")); a model's score of a document is the mean of its replicates, and the scores above are the mean over every model and replicate.",
                "",
            ]
            lines += agreementTable(agreement, dimensionOrder: dimensionOrder)
        }
        if let field = report.groupBy {
            lines += [
                "", "## Groups by `\(field)`", "", "| variable | groups (n, mean, SD) | test | statistic | p | effect size |", "|---|---|---|---|---|---|",
            ]
            for comparison in report.groupComparisons {
                let groups = comparison.groups.map { "\($0.group) (\($0.n), \(format($0.mean)), \(format($0.standardDeviation)))" }.joined(separator: "; ")
                if let test = comparison.test {
                    lines.append(
                        "| \(comparison.variable) | \(groups) | \(test.test) | \(format(test.statistic)) | \(formatP(test.pValue)) | \(test.effectSizeName) \(format(test.effectSize)) |"
                    )
                } else {
                    lines.append("| \(comparison.variable) | \(groups) | not computable | – | – | – |")
                }
            }
        }
        lines += ["", "## Highest-scoring documents", ""]
        for name in dimensionOrder {
            lines.append("### \(name)")
            for document in report.topDocuments[name] ?? [] {
                lines.append("- **\(document.id)** (\(format(document.rawScore)))" + document.evidence.map { " — “\($0.sentence)”" }.joined())
            }
            lines.append("")
        }
        if let provenance = report.provenance { lines += provenanceSection(provenance) }
        return lines.joined(separator: "\n")
    }

    /// Krippendorff's alpha per dimension across the replicates, with its interval and the
    /// share of documents whose replicates disagree by more than the threshold.
    static func replicateSection(_ agreement: [String: CorpusReport.Agreement], replicates: Int, dimensionOrder: [String]) -> [String] {
        [
            "", "## Reliability across replicates (Krippendorff's alpha, interval)", "",
            "Each document was analysed \(replicates) times; the scores above are each document's mean over its replicates.", "",
        ] + agreementTable(agreement, dimensionOrder: dimensionOrder)
    }

    static func agreementTable(_ agreement: [String: CorpusReport.Agreement], dimensionOrder: [String]) -> [String] {
        var lines = ["| dimension | units | alpha | 95 % CI (bootstrap) | spread > threshold |", "|---|---|---|---|---|"]
        for name in dimensionOrder {
            guard let entry = agreement[name] else { continue }
            let interval = entry.alphaInterval95.map { "[\(format($0[0])), \(format($0[1]))]" } ?? "–"
            let spread = entry.spreadShare.map { String(format: "%.1f %%", $0 * 100) } ?? "–"
            lines.append("| \(name) | \(entry.documents) | \(format(entry.alpha)) | \(interval) | \(spread) (> \(format(entry.spreadThreshold, digits: 2))) |")
        }
        if let resamples = agreement.values.first?.bootstrapResamples {
            lines += ["", "Intervals: \(resamples) resamples of the documents, with a fixed seed."]
        }
        return lines
    }

    /// Which model scored the documents, with what, and what it took; a row per document.
    static func provenanceSection(_ provenance: ReportProvenance) -> [String] {
        var lines = ["## Model and provenance", ""]
        lines += provenance.summary.map { "- \($0)" }
        lines += ["", "| document | model | input tokens | output tokens | calls | latency |", "|---|---|---|---|---|---|"]
        for entry in provenance.documents {
            lines.append("| \(entry.id) | \(entry.model) | \(entry.inputTokens) | \(entry.outputTokens) | \(entry.calls) | \(entry.latencyMilliseconds) ms |")
        }
        if provenance.documentsNotListed > 0 { lines += ["", "\(provenance.documentsNotListed) more documents are not listed."] }
        lines.append("")
        return lines
    }

    /// One row per document: id, word count, metadata fields, each dimension's raw score, salience and confidence, each derived metric.
    public static func csv(_ documents: [DocumentAnalysis], dimensionOrder: [String], metricOrder: [String]) -> String {
        let metadataFields = Set(documents.flatMap(\.metadata.keys)).sorted()
        var header = ["id", "word_count"] + metadataFields
        for name in dimensionOrder { header += ["\(name)_raw_score", "\(name)_salience", "\(name)_confidence"] }
        header += metricOrder
        var rows = [header.map(escape).joined(separator: ",")]
        for document in documents {
            var row = [document.id, String(document.wordCount)] + metadataFields.map { document.metadata[$0] ?? "" }
            for name in dimensionOrder {
                let score = document.scores[name]
                row += [score.map { "\($0.rawScore)" } ?? "", score?.salience.map { "\($0)" } ?? "", score.map { "\($0.confidence)" } ?? ""]
            }
            row += metricOrder.map { name in (document.derived[name] ?? nil).map { "\($0)" } ?? "" }
            rows.append(row.map(escape).joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// With replicates, one row per document: its replicates' means, and after each
    /// dimension's columns the raw score's SD across replicates (empty with one replicate).
    public static func csv(_ documents: [CorpusSynthesiser.ReplicatedDocument], dimensionOrder: [String], metricOrder: [String]) -> String {
        let metadataFields = Set(documents.flatMap(\.mean.metadata.keys)).sorted()
        var header = ["id", "word_count", "replicates"] + metadataFields
        for name in dimensionOrder { header += ["\(name)_raw_score", "\(name)_salience", "\(name)_confidence", "\(name)_raw_score_sd"] }
        header += metricOrder
        var rows = [header.map(escape).joined(separator: ",")]
        for document in documents {
            let mean = document.mean
            var row = [mean.id, String(mean.wordCount), String(document.replicates.count)] + metadataFields.map { mean.metadata[$0] ?? "" }
            for name in dimensionOrder {
                let score = mean.scores[name]
                let spread = DescriptiveStatistics(document.replicates.compactMap { $0.analysis.scores[name]?.rawScore }).standardDeviation
                row += [
                    score.map { "\($0.rawScore)" } ?? "", score?.salience.map { "\($0)" } ?? "", score.map { "\($0.confidence)" } ?? "",
                    spread.map { "\($0)" } ?? "",
                ]
            }
            row += metricOrder.map { name in (mean.derived[name] ?? nil).map { "\($0)" } ?? "" }
            rows.append(row.map(escape).joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Every replicate's own scores: one row per (document, replicate), with the seed and
    /// model a language model was asked with, and its status. A replicate whose batch failed
    /// for good is a row too, `failed`, its scores empty: every document has a row for every
    /// replicate, and a reader sees the missing values rather than fewer rows.
    public static func replicatesCsv(
        _ batches: [BatchAnalysis], failed: [FailedBatch], plan: SynthesisPayload.Replicates, dimensionOrder: [String], metricOrder: [String]
    ) -> String {
        let per = max(plan.batchesPerReplicate, 1)
        let units =
            batches.map { ($0.batchIndex, $0.documents.map { ($0.id, Optional($0)) }) }
            + failed.map { ($0.batchIndex, $0.documentIds.map { ($0, DocumentAnalysis?.none) }) }
        var order: [String] = []
        var byID: [String: [(model: Int, replicate: Int, analysis: DocumentAnalysis?)]] = [:]
        for (index, documents) in units.sorted(by: { ($0.0 % per, $0.0) < ($1.0 % per, $1.0) }) {
            for (id, analysis) in documents {
                if byID[id] == nil { order.append(id) }
                byID[id, default: []].append((plan.model(ofBatch: index), plan.replicate(ofBatch: index), analysis))
            }
        }
        var header = ["id", "replicate", "status", "model", "seed"]
        for name in dimensionOrder { header += ["\(name)_raw_score", "\(name)_confidence"] }
        header += metricOrder
        var rows = [header.map(escape).joined(separator: ",")]
        for id in order {
            for (model, replicate, analysis) in (byID[id] ?? []).sorted(by: { ($0.model, $0.replicate) < ($1.model, $1.replicate) }) {
                // The model asked, with several; else the one that answered, as its provenance names it.
                let name = plan.models.map { $0.indices.contains(model) ? $0[model] : "" } ?? analysis?.provenance?.model ?? ""
                var row = [id, String(replicate), analysis == nil ? "failed" : "ok", name, analysis?.provenance?.seed.map(String.init) ?? ""]
                for name in dimensionOrder {
                    let score = analysis?.scores[name]
                    row += [score.map { "\($0.rawScore)" } ?? "", score.map { "\($0.confidence)" } ?? ""]
                }
                row += metricOrder.map { name in (analysis?.derived[name] ?? nil).map { "\($0)" } ?? "" }
                rows.append(row.map(escape).joined(separator: ","))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
