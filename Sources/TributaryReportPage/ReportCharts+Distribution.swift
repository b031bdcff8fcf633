import TributaryCore

extension ReportCharts {
    /// Quartiles (linear interpolation between order statistics, as numpy and R's type 7)
    /// and Tukey's whiskers: the most extreme values within 1.5 IQR of the box.
    struct Box: Equatable, Sendable {
        var q1: Double
        var median: Double
        var q3: Double
        var low: Double
        var high: Double
    }
}

extension ReportCharts.Box {
    init?(_ values: [Double]) {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return nil }
        func quantile(_ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let below = Int(position.rounded(.down))
            let above = min(below + 1, sorted.count - 1)
            return sorted[below] + (sorted[above] - sorted[below]) * (position - Double(below))
        }
        let (lower, upper) = (quantile(0.25), quantile(0.75))
        let reach = 1.5 * (upper - lower)
        (q1, median, q3) = (lower, quantile(0.5), upper)
        low = sorted.first { $0 >= lower - reach } ?? sorted[0]
        high = sorted.last { $0 <= upper + reach } ?? sorted[sorted.count - 1]
    }
}

extension ReportCharts {

    /// A variable's scores by group: a box per group from every document's score, the
    /// documents as a strip, and the group's mean and n as report.json has them.
    static func distribution(
        index: Int, variable: String, axis: String, summaries: [CorpusReport.GroupSummary], values: [(id: String, group: String, value: Double)]
    ) -> Chart {
        let byGroup = Dictionary(grouping: values, by: \.group)
        var boxes: [JSONValue] = []
        var means: [JSONValue] = []
        for summary in summaries {
            let group = JSONValue.string(summary.group)
            if let box = Box(byGroup[summary.group]?.map(\.value) ?? []) {
                boxes.append([
                    "group": group, "q1": .number(box.q1), "median": .number(box.median), "q3": .number(box.q3), "low": .number(box.low),
                    "high": .number(box.high),
                ])
            }
            if let mean = summary.mean, mean.isFinite {
                means.append(["group": group, "mean": .number(mean), "n": .number(Double(summary.n)), "sd": JSONValue(summary.standardDeviation)])
            }
        }
        let shown = values.count <= maximumPoints ? values : []
        let points: [JSONValue] = shown.enumerated().map { offset, point in
            // Spread across the middle of the band, the same way on every render.
            let jitter = 0.2 + 0.6 * (Double(offset) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
            return ["id": .string(point.id), "group": .string(point.group), "value": .number(point.value), "jitter": .number(jitter)]
        }
        let groupNames = JSONValue.array(summaries.map { .string($0.group) })
        return Chart(
            id: "chart-distribution-\(index)",
            spec: spec(
                width: max(180, min(720, 110 * summaries.count)), height: 220,
                data: [data("boxes", boxes), data("means", means), data("points", points)],
                scales: [
                    ["name": "x", "type": "band", "domain": groupNames, "range": "width", "padding": 0.35],
                    [
                        "name": "y", "type": "linear", "range": "height", "nice": true, "zero": false,
                        "domain": [
                            "fields": [
                                ["data": "points", "field": "value"], ["data": "boxes", "field": "low"], ["data": "boxes", "field": "high"],
                                ["data": "means", "field": "mean"],
                            ]
                        ],
                    ],
                ],
                axes: [["orient": "bottom", "scale": "x", "title": .string(axis)], ["orient": "left", "scale": "y", "title": .string(variable)]],
                marks: distributionMarks))
    }

    /// Whisker, box, median, the documents, and the mean: the same marks for every variable.
    static var distributionMarks: [JSONValue] {
        let centre = "scale('x', datum.group) + bandwidth('x') / 2"
        return [
            rule(from: "boxes", x: centre, y: "low", y2: "high"),
            [
                "type": "rect", "from": ["data": "boxes"],
                "encode": [
                    "enter": [
                        "x": ["scale": "x", "field": "group"], "width": ["scale": "x", "band": 1], "y": ["scale": "y", "field": "q1"],
                        "y2": ["scale": "y", "field": "q3"], "fill": ["value": "#dbe6f4"], "stroke": ["value": .string(blue)],
                        "description": ["signal": "'quartiles of ' + datum.group + ': ' + datum.q1 + ', ' + datum.median + ', ' + datum.q3"],
                    ]
                ],
            ],
            [
                "type": "rule", "from": ["data": "boxes"], "aria": false,
                "encode": [
                    "enter": [
                        "x": ["scale": "x", "field": "group"], "x2": ["signal": "scale('x', datum.group) + bandwidth('x')"],
                        "y": ["scale": "y", "field": "median"], "stroke": ["value": .string(blue)], "strokeWidth": ["value": 2],
                    ]
                ],
            ],
            [
                "type": "symbol", "from": ["data": "points"],
                "encode": [
                    "enter": [
                        "x": ["signal": "scale('x', datum.group) + bandwidth('x') * datum.jitter"], "y": ["scale": "y", "field": "value"],
                        "size": ["value": 16], "fill": ["value": "#333"], "fillOpacity": ["value": 0.45],
                        "description": ["signal": "datum.id + ': ' + datum.value"],
                    ]
                ],
            ],
            [
                "type": "symbol", "from": ["data": "means"],
                "encode": [
                    "enter": [
                        "x": ["signal": .string(centre)], "y": ["scale": "y", "field": "mean"], "shape": ["value": "diamond"], "size": ["value": 110],
                        "fill": ["value": .string(red)], "stroke": ["value": "white"],
                        "description": ["signal": "'mean of ' + datum.group + ': ' + datum.mean + ' (n ' + datum.n + ')'"],
                    ]
                ],
            ],
        ]
    }

    private static func rule(from data: String, x: String, y: String, y2: String) -> JSONValue {
        [
            "type": "rule", "from": ["data": .string(data)], "aria": false,
            "encode": [
                "enter": [
                    "x": ["signal": .string(x)], "y": ["scale": "y", "field": .string(y)], "y2": ["scale": "y", "field": .string(y2)],
                    "stroke": ["value": "#555"],
                ]
            ],
        ]
    }
}
