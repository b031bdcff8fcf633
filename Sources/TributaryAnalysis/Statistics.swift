import TributaryCore

/// The corpus-level statistics of the synthesis. Pure functions; nil where a statistic is undefined.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// Sample variance (n − 1 denominator).
    public static func sampleVariance(_ values: [Double]) -> Double {
        let m = mean(values)
        return values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
    }

    /// Pearson's r; nil when either variable is constant or there are fewer than two pairs.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2 else { return nil }
        let mx = mean(x)
        let my = mean(y)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Cronbach's alpha of items (one array per item, same respondents in the same order).
    public static func cronbachAlpha(_ items: [[Double]]) -> Double? {
        let k = items.count
        guard k >= 2, let n = items.first?.count, n >= 2, items.allSatisfy({ $0.count == n }) else { return nil }
        let totals = (0..<n).map { row in items.reduce(0) { $0 + $1[row] } }
        let totalVariance = sampleVariance(totals)
        guard totalVariance > 0 else { return nil }
        let itemVariances = items.reduce(0) { $0 + sampleVariance($1) }
        return Double(k) / Double(k - 1) * (1 - itemVariances / totalVariance)
    }

    /// Welch's two-sample t-test (unequal variances), two-sided, with Cohen's d (pooled SD).
    public static func welch(_ a: [Double], _ b: [Double]) -> TestResult? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let (ma, mb) = (mean(a), mean(b))
        let (va, vb) = (sampleVariance(a), sampleVariance(b))
        let (na, nb) = (Double(a.count), Double(b.count))
        let se2 = va / na + vb / nb
        guard se2 > 0 else { return nil }
        let t = (ma - mb) / se2.squareRoot()
        let df = se2 * se2 / ((va / na) * (va / na) / (na - 1) + (vb / nb) * (vb / nb) / (nb - 1))
        let pooled = (((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)).squareRoot()
        return TestResult(
            test: "welch_t", statistic: t, degreesOfFreedom: [df], pValue: SpecialFunctions.studentTTwoSidedP(t, df: df),
            effectSizeName: "cohens_d", effectSize: pooled > 0 ? (ma - mb) / pooled : nil)
    }

    /// One-way ANOVA across groups, with eta squared.
    public static func anova(_ groups: [[Double]]) -> TestResult? {
        let k = groups.count
        let all = groups.flatMap { $0 }
        guard k >= 2, all.count > k, groups.allSatisfy({ !$0.isEmpty }) else { return nil }
        let grand = mean(all)
        var between = 0.0
        var within = 0.0
        for group in groups {
            let m = mean(group)
            between += Double(group.count) * (m - grand) * (m - grand)
            within += group.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
        let (d1, d2) = (Double(k - 1), Double(all.count - k))
        guard within > 0 else { return nil }
        let f = (between / d1) / (within / d2)
        return TestResult(
            test: "one_way_anova", statistic: f, degreesOfFreedom: [d1, d2], pValue: SpecialFunctions.fSurvival(f, d1: d1, d2: d2),
            effectSizeName: "eta_squared", effectSize: between / (between + within))
    }
}
