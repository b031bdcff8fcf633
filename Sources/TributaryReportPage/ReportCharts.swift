import TributaryCore

/// The report's charts as Vega specifications. Every number a chart shows is in its data,
/// taken from report.json (or, for the spread of scores, from scores.csv), and every mark a
/// reader can point at says its value in its description, which Vega renders as the SVG
/// element's `aria-label`: screen readers and tests read the same text.
enum ReportCharts {
    struct Chart: Sendable {
        var id: String
        var spec: JSONValue
    }

    /// More points than this are drawn as the box alone: a strip of 10,000 dots says less.
    static let maximumPoints = 2_000

    static let blue = "#2a5d9f"
    static let red = "#c62828"
    static let green = "#2e7d32"

    static func spec(
        width: Int, height: Int, data: [JSONValue], scales: [JSONValue], axes: [JSONValue], marks: [JSONValue], legends: [JSONValue] = []
    ) -> JSONValue {
        [
            "$schema": "https://vega.github.io/schema/vega/v5.json", "width": .number(Double(width)), "height": .number(Double(height)),
            "padding": 5, "autosize": "pad", "data": .array(data), "scales": .array(scales), "axes": .array(axes), "marks": .array(marks),
            "legends": .array(legends),
            "config": ["axis": ["labelFont": "system-ui, sans-serif", "titleFont": "system-ui, sans-serif", "labelLimit": 160]],
        ]
    }

    static func data(_ name: String, _ values: [JSONValue]) -> JSONValue { ["name": .string(name), "values": .array(values)] }

    /// Documents analysed against those planned, as one stacked bar.
    static func coverage(_ coverage: CorpusReport.ReportCoverage) -> Chart {
        let planned = Double(coverage.documentsPlanned)
        let analysed = Double(coverage.documentsAnalysed)
        let parts: [JSONValue] = [
            ["part": "analysed", "documents": .number(analysed), "start": 0, "end": .number(analysed), "planned": .number(planned)],
            [
                "part": "not analysed", "documents": .number(planned - analysed), "start": .number(analysed), "end": .number(planned),
                "planned": .number(planned),
            ],
        ]
        let marks: [JSONValue] = [
            [
                "type": "rect", "from": ["data": "parts"],
                "encode": [
                    "enter": [
                        "x": ["scale": "x", "field": "start"], "x2": ["scale": "x", "field": "end"], "y": ["value": 0], "height": ["value": 24],
                        "fill": ["scale": "colour", "field": "part"],
                        "description": ["signal": "datum.part + ': ' + datum.documents + ' of ' + datum.planned + ' documents'"],
                    ]
                ],
            ]
        ]
        return Chart(
            id: "chart-coverage",
            spec: spec(
                width: 560, height: 24, data: [data("parts", parts)],
                scales: [
                    ["name": "x", "type": "linear", "domain": [0, .number(max(planned, 1))], "range": "width"],
                    ["name": "colour", "type": "ordinal", "domain": ["analysed", "not analysed"], "range": [.string(green), .string(red)]],
                ],
                axes: [["orient": "bottom", "scale": "x", "title": "documents", "tickMinStep": 1]], marks: marks,
                legends: [["fill": "colour", "orient": "right"]]))
    }

    /// Pearson r between every pair of dimensions, as a heatmap with the value in each cell.
    static func correlations(_ matrix: [String: [String: Double?]], order: [String]) -> Chart {
        var cells: [JSONValue] = []
        for a in order {
            for b in order {
                guard let r = matrix[a]?[b] ?? nil, r.isFinite else { continue }
                cells.append(["a": .string(a), "b": .string(b), "r": .number(r)])
            }
        }
        let side = max(160, min(640, 70 * order.count))
        let cell: JSONValue = [
            "x": ["scale": "x", "field": "a"], "width": ["scale": "x", "band": 1], "y": ["scale": "y", "field": "b"], "height": ["scale": "y", "band": 1],
            "fill": ["scale": "colour", "field": "r"], "description": ["signal": "datum.a + ' × ' + datum.b + ': r = ' + datum.r"],
        ]
        let marks: [JSONValue] = [
            ["type": "rect", "from": ["data": "cells"], "encode": ["enter": cell]],
            [
                "type": "text", "from": ["data": "cells"], "aria": false,
                "encode": [
                    "enter": [
                        "x": ["scale": "x", "field": "a", "band": 0.5], "y": ["scale": "y", "field": "b", "band": 0.5], "align": ["value": "center"],
                        "baseline": ["value": "middle"], "text": ["signal": "format(datum.r, '.2f')"],
                        "fill": ["signal": "abs(datum.r) > 0.6 ? 'white' : 'black'"],
                    ]
                ],
            ],
        ]
        let names = JSONValue.array(order.map(JSONValue.string))
        return Chart(
            id: "chart-correlations",
            spec: spec(
                width: side, height: side, data: [data("cells", cells)],
                scales: [
                    ["name": "x", "type": "band", "domain": names, "range": "width"],
                    ["name": "y", "type": "band", "domain": names, "range": "height"],
                    ["name": "colour", "type": "linear", "domain": [-1, 0, 1], "range": [.string(red), "#f7f7f7", .string(blue)]],
                ],
                axes: [["orient": "bottom", "scale": "x", "labelAngle": -30, "labelAlign": "right"], ["orient": "left", "scale": "y"]],
                marks: marks, legends: [["fill": "colour", "title": "r", "type": "gradient"]]))
    }

    /// One bar per name, with its value at the end; `interval` adds a 95 % interval as a rule.
    static func bars(id: String, label: String, rows: [(name: String, value: Double, interval: [Double]?)], title: String) -> Chart {
        let values: [JSONValue] = rows.map { row in
            var entry: [String: JSONValue] = ["name": .string(row.name), "value": .number(row.value), "label": .string(label)]
            if let interval = row.interval, interval.count == 2 {
                entry["low"] = .number(interval[0])
                entry["high"] = .number(interval[1])
            }
            return .object(entry)
        }
        let lowest = min(0, rows.map(\.value).min() ?? 0, rows.compactMap { $0.interval?.first }.min() ?? 0)
        var marks: [JSONValue] = [
            [
                "type": "rect", "from": ["data": "rows"],
                "encode": [
                    "enter": [
                        "y": ["scale": "y", "field": "name"], "height": ["scale": "y", "band": 1], "x": ["scale": "x", "value": 0],
                        "x2": ["scale": "x", "field": "value"], "fill": ["signal": .string("datum.value < 0 ? '\(red)' : '\(blue)'")],
                        "description": ["signal": "datum.label + ' ' + datum.name + ': ' + datum.value"],
                    ]
                ],
            ],
            [
                "type": "text", "from": ["data": "rows"], "aria": false,
                "encode": [
                    "enter": [
                        "y": ["scale": "y", "field": "name", "band": 0.5],
                        "x": ["scale": "x", "signal": "max(datum.value, isValid(datum.high) ? datum.high : 0, 0)", "offset": 4],
                        "baseline": ["value": "middle"], "text": ["signal": "format(datum.value, '.3f')"],
                    ]
                ],
            ],
        ]
        if rows.contains(where: { $0.interval != nil }) {
            marks.append([
                "type": "rule", "from": ["data": "rows"], "aria": false,
                "encode": [
                    "enter": [
                        "y": ["scale": "y", "field": "name", "band": 0.5], "x": ["scale": "x", "field": "low"], "x2": ["scale": "x", "field": "high"],
                        "stroke": ["value": "#222"], "strokeWidth": ["value": 2], "opacity": ["signal": "isValid(datum.low) ? 1 : 0"],
                    ]
                ],
            ])
        }
        return Chart(
            id: id,
            spec: spec(
                width: 420, height: max(40, 30 * rows.count), data: [data("rows", values)],
                scales: [
                    ["name": "y", "type": "band", "domain": ["data": "rows", "field": "name"], "range": "height", "padding": 0.2],
                    ["name": "x", "type": "linear", "domain": [.number(lowest), 1], "range": "width", "nice": true],
                ],
                axes: [["orient": "bottom", "scale": "x", "title": .string(title)], ["orient": "left", "scale": "y"]], marks: marks))
    }
}
