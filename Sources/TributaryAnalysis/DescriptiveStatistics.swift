import TributaryCore

extension DescriptiveStatistics {
    /// The summary of `values`; what one observation can't define stays nil.
    public init(_ values: [Double]) {
        self.init(n: values.count, mean: nil, standardDeviation: nil, median: nil, min: nil, max: nil, confidenceInterval95: nil)
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        let mean = Statistics.mean(values)
        self.mean = mean
        median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first
        max = sorted.last
        guard values.count >= 2 else { return }
        let sd = Statistics.sampleVariance(values).squareRoot()
        standardDeviation = sd
        let margin = SpecialFunctions.studentTQuantile(0.975, df: Double(values.count - 1)) * sd / Double(values.count).squareRoot()
        confidenceInterval95 = [mean - margin, mean + margin]
    }
}
