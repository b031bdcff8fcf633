/// Summary of one variable over the corpus. Undefined values (an SD of one observation) are nil.
public struct DescriptiveStatistics: Sendable, Hashable, Codable {
    public var n: Int
    public var mean: Double?
    public var standardDeviation: Double?
    public var median: Double?
    public var min: Double?
    public var max: Double?
    /// 95 % confidence interval of the mean (Student's t).
    public var confidenceInterval95: [Double]?

    public init(_ values: [Double]) {
        n = values.count
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
