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

    public init(
        n: Int, mean: Double?, standardDeviation: Double?, median: Double?, min: Double?, max: Double?, confidenceInterval95: [Double]?
    ) {
        self.n = n
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.median = median
        self.min = min
        self.max = max
        self.confidenceInterval95 = confidenceInterval95
    }
}
