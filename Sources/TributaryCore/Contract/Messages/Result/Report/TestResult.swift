/// A hypothesis test's outcome.
public struct TestResult: Sendable, Hashable, Codable {
    public var test: String
    public var statistic: Double
    public var degreesOfFreedom: [Double]
    public var pValue: Double
    public var effectSizeName: String
    public var effectSize: Double?

    public init(test: String, statistic: Double, degreesOfFreedom: [Double], pValue: Double, effectSizeName: String, effectSize: Double?) {
        self.test = test
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = pValue
        self.effectSizeName = effectSizeName
        self.effectSize = effectSize
    }
}
