import Testing
import TributaryCore

@testable import TributaryAnalysis

/// Reference values were computed independently with SciPy 1.17 (`scipy.stats`,
/// `scipy.special.betainc`) from the same data; they must agree to 1e-9.
@Suite struct StatisticsTests {
    let a = [2.5, 3.1, 4.7, 1.9, 3.3, 5.2, 2.8]
    let b = [4.1, 5.5, 3.9, 6.2, 4.8, 5.1]
    let c = [1.2, 2.2, 1.9, 2.8, 1.5]

    func close(_ actual: Double?, _ expected: Double, _ tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let actual else {
            Issue.record("value is nil, expected \(expected)", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(actual - expected) <= tolerance, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func descriptive() {
        let stats = DescriptiveStatistics(a)
        #expect(stats.n == 7)
        close(stats.mean, 3.357142857142857)
        close(stats.standardDeviation, 1.1858290248558079)
        close(stats.median, 3.1)
        #expect(stats.min == 1.9 && stats.max == 5.2)
        close(stats.confidenceInterval95?[0], 2.2604339252728307)
        close(stats.confidenceInterval95?[1], 4.453851789012884)
        close(DescriptiveStatistics([4, 1, 3, 2]).median, 2.5)
    }

    @Test func undefinedStatisticsAreNil() {
        let one = DescriptiveStatistics([5])
        #expect(one.mean == 5 && one.standardDeviation == nil && one.confidenceInterval95 == nil)
        #expect(DescriptiveStatistics([]).mean == nil)
        #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]) == nil)
        #expect(Statistics.welch([1], [2, 3]) == nil)
    }

    @Test func specialFunctions() {
        close(SpecialFunctions.studentTQuantile(0.975, df: 6), 2.4469118511449786)
        close(SpecialFunctions.regularizedIncompleteBeta(2.5, 3.5, 0.3), 0.29675298929566646)
        close(SpecialFunctions.regularizedIncompleteBeta(0.5, 12, 0.9), 0.9999999999998308)
        close(SpecialFunctions.regularizedIncompleteBeta(30, 40, 0.45), 0.6447480085585666)
        close(SpecialFunctions.studentTCDF(-2.1, df: 3.7), 0.05463235254111237)
        close(SpecialFunctions.fSurvival(4.2, d1: 2, d2: 9), 0.051477764080395685)
    }

    @Test func pearson() {
        close(Statistics.pearson(Array(a.prefix(6)), b), -0.4280043793978329)
        close(Statistics.pearson([1, 2, 3], [2, 4, 6]), 1)
    }

    @Test func welch() throws {
        let result = try #require(Statistics.welch(a, b))
        close(result.statistic, -2.7634234881360813)
        close(result.degreesOfFreedom.first, 10.774551439050356)
        close(result.pValue, 0.01876725599509683)
        close(result.effectSize, -1.4984810531691455)
    }

    @Test func anova() throws {
        let result = try #require(Statistics.anova([a, b, c]))
        close(result.statistic, 13.638462900224917)
        #expect(result.degreesOfFreedom == [2, 15])
        close(result.pValue, 0.00042160809901201486)
        close(result.effectSize, 0.6451965294070556)
    }

    @Test func cronbachAlpha() {
        close(Statistics.cronbachAlpha([Array(a.prefix(5)), Array(b.prefix(5)), c]), -0.6703659268146379)
        // Hand-checked: two identical items are perfectly consistent.
        close(Statistics.cronbachAlpha([[1, 2, 3, 4], [1, 2, 3, 4]]), 1)
    }
}
