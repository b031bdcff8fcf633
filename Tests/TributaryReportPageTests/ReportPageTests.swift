import Foundation
import Testing
import TributaryCore

@testable import TributaryReportPage

/// report.html from a report with every section: the charts' data are the report's numbers,
/// and nothing from an experiment reaches the page unescaped.
@Suite struct ReportPageTests {
    static func output() -> CorpusSynthesisOutput {
        let stats = DescriptiveStatistics(n: 4, mean: 0.4375, standardDeviation: 0.2, median: 0.5, min: 0.1, max: 0.7, confidenceInterval95: [0.1, 0.8])
        var report = CorpusReport(
            experiment: "speeches </script><script>alert(1)</script>", run: 1,
            coverage: .init(documentsPlanned: 5, documentsAnalysed: 4, failedBatches: []), researchQuestion: "Which & why?", framework: "affect 1.0",
            documentCount: 5, batchCount: 5, totalWords: 100, dimensions: ["hope": stats, "fear": stats], derivedMetrics: [:],
            correlations: ["hope": ["hope": 1, "fear": -0.523_598_775_598_298_8], "fear": ["hope": -0.523_598_775_598_298_8, "fear": 1]],
            reliability: ["affect": 0.812_345_678_9, "empty": nil], groupBy: "setting",
            groupComparisons: [
                .init(
                    variable: "hope",
                    groups: [.init(group: "city", n: 2, mean: 0.625, standardDeviation: 0.1), .init(group: "rural", n: 2, mean: 0.25, standardDeviation: nil)],
                    test: TestResult(test: "welch_t", statistic: 2.5, degreesOfFreedom: [1.8], pValue: 0.13, effectSizeName: "cohens_d", effectSize: 1.1))
            ],
            topDocuments: [
                "hope": [.init(id: "d1", rawScore: 0.7, evidence: [Evidence(sentence: "We <b>Hope</b> for rain.", start: 0, end: 4, phrase: "hope")])]
            ])
        report.replicates = 3
        report.replicateAgreement = [
            "hope": .init(documents: 4, alpha: 0.731, alphaInterval95: [0.5, 0.9], bootstrapResamples: 1_000, spreadShare: 0.25, spreadThreshold: 0.2)
        ]
        report.models = ["a", "b"]
        report.modelAgreement = [
            "fear": .init(documents: 4, alpha: -0.125, alphaInterval95: nil, bootstrapResamples: 1_000, spreadShare: nil, spreadThreshold: 0.2)
        ]
        return CorpusSynthesisOutput(report: report, reportMarkdown: "", scoresCsv: "")
    }

    static let scores = """
        id,word_count,setting,hope_raw_score,hope_salience,hope_confidence,fear_raw_score,fear_salience,fear_confidence
        d1,20,city,0.7,,1,0.1,,1
        d2,20,city,0.55,,1,0.2,,1
        "d,3",20,rural,0.1,,1,0.6,,1\r
        d4,20,rural,0.4,,1,,,

        """

    /// The charts as the page gives them to Vega.
    static func charts(_ html: String) throws -> [String: JSONValue] {
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"report-charts\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        guard case .object(let charts) = try MessageCoding.decode(JSONValue.self, from: Array(html[start.upperBound..<end.lowerBound].utf8)) else {
            throw CocoaError(.coderReadCorrupt)
        }
        return charts
    }

    static func values(_ chart: JSONValue?, _ data: String) -> [[String: JSONValue]] {
        guard case .array(let sets) = chart?["data"] ?? .null else { return [] }
        for set in sets where set["name"] == .string(data) {
            guard case .array(let rows) = set["values"] ?? .null else { return [] }
            return rows.compactMap { if case .object(let row) = $0 { row } else { nil } }
        }
        return []
    }

    @Test func everyChartCarriesTheReportsNumbers() throws {
        let charts = try Self.charts(ReportPage.html(Self.output(), scores: Self.scores))
        #expect(
            Set(charts.keys) == [
                "chart-coverage", "chart-distribution-0", "chart-correlations", "chart-reliability", "chart-agreement-replicates", "chart-agreement-models",
            ])
        #expect(Self.values(charts["chart-coverage"], "parts").map { $0["documents"] } == [.number(4), .number(1)])
        let means = Self.values(charts["chart-distribution-0"], "means")
        #expect(
            means.map { [$0["group"], $0["mean"], $0["n"]] } == [
                [.string("city"), .number(0.625), .number(2)], [.string("rural"), .number(0.25), .number(2)],
            ])
        // Every document with a score is a point, the quoted id and the CRLF line included.
        #expect(Self.values(charts["chart-distribution-0"], "points").map { $0["id"] } == [.string("d1"), .string("d2"), .string("d,3"), .string("d4")])
        let boxes = Self.values(charts["chart-distribution-0"], "boxes")
        #expect(boxes.map { $0["median"] } == [.number(0.625), .number(0.25)])
        let cells = Self.values(charts["chart-correlations"], "cells")
        #expect(cells.count == 4 && cells.contains { $0["a"] == "hope" && $0["b"] == "fear" && $0["r"] == .number(-0.523_598_775_598_298_8) })
        #expect(Self.values(charts["chart-reliability"], "rows").map { [$0["name"], $0["value"]] } == [["affect", .number(0.812_345_678_9)]])
        let replicated = Self.values(charts["chart-agreement-replicates"], "rows")
        #expect(replicated.map { [$0["name"], $0["value"], $0["low"], $0["high"]] } == [["hope", .number(0.731), .number(0.5), .number(0.9)]])
        #expect(Self.values(charts["chart-agreement-models"], "rows").map { [$0["name"], $0["value"]] } == [["fear", .number(-0.125)]])
    }

    @Test func withoutTheScoresTableTheMeansAreStillDrawn() throws {
        let html = ReportPage.html(Self.output(), scores: nil)
        let charts = try Self.charts(html)
        #expect(Self.values(charts["chart-distribution-0"], "means").count == 2)
        #expect(Self.values(charts["chart-distribution-0"], "points").isEmpty && Self.values(charts["chart-distribution-0"], "boxes").isEmpty)
        #expect(html.contains("scores.csv was not at hand"))
    }

    @Test func nothingFromTheExperimentIsUnescaped() throws {
        let html = ReportPage.html(Self.output(), scores: Self.scores)
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("speeches &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("We &lt;b&gt;<mark>Hope</mark>&lt;/b&gt; for rain."))
        #expect(html.contains("Which &amp; why?"))
        #expect(html.contains("welch_t 2.500, df 1.8, p = 0.130, cohens_d 1.100"))
        // Three scripts: the charts' data, Vega, and the loop that draws them.
        #expect(html.components(separatedBy: "<script").count - 1 == 3)
        #expect(html.contains("id=\"report-charts\">{") && html.contains("VendoredVega") == false)
        #expect(HTMLText.scriptJSON(#"{"g":"</script><!--&"}"#) == #"{"g":"\u003c/script\u003e\u003c!--\u0026"}"#)
    }

    @Test func quartilesAndWhiskersAreTukeys() throws {
        let box = try #require(ReportCharts.Box([9, 1, 2, 3, 4, 5, 6, 7, 8, 100]))
        #expect(box == ReportCharts.Box(q1: 3.25, median: 5.5, q3: 7.75, low: 1, high: 9))
        #expect(ReportCharts.Box([]) == nil)
        #expect(ReportCharts.Box([2]) == ReportCharts.Box(q1: 2, median: 2, q3: 2, low: 2, high: 2))
    }

    @Test func aCSVWithQuotesCommasAndLineBreaksIsReadBack() {
        let table = ScoreTable(csv: "id,note\r\n\"a,1\",\"say \"\"hi\"\"\nthere\"\nb,\n")
        #expect(table.header == ["id", "note"])
        #expect(table.rows == [["a,1", "say \"hi\"\nthere"], ["b", ""]])
    }
}
