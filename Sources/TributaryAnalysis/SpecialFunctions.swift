import Foundation

/// The distribution functions the synthesis needs, from the regularized incomplete beta.
enum SpecialFunctions {
    /// I_x(a, b), the regularized incomplete beta function, accurate to about 1e-14.
    static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x))
        // The continued fraction converges fast only on this side of the mean; use symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return front * continuedFraction(a, b, x) / a
        }
        return 1 - front * continuedFraction(b, a, 1 - x) / b
    }

    /// The continued fraction of I_x(a, b), evaluated with the modified Lentz method.
    private static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...1000 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m))
            d = 1 + even * d
            if abs(d) < tiny { d = tiny }
            c = 1 + even / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))
            d = 1 + odd * d
            if abs(d) < tiny { d = tiny }
            c = 1 + odd / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            result *= step
            if abs(step - 1) < epsilon { break }
        }
        return result
    }

    /// P(T ≤ t) for Student's t with `df` degrees of freedom.
    static func studentTCDF(_ t: Double, df: Double) -> Double {
        let tail = 0.5 * regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t))
        return t > 0 ? 1 - tail : tail
    }

    /// Two-sided p-value of a t statistic.
    static func studentTTwoSidedP(_ t: Double, df: Double) -> Double {
        regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t))
    }

    /// The t with P(T ≤ t) = p, found by bisection to full double precision.
    static func studentTQuantile(_ p: Double, df: Double) -> Double {
        if p == 0.5 { return 0 }
        if p < 0.5 { return -studentTQuantile(1 - p, df: df) }
        var low = 0.0
        var high = 1.0
        while studentTCDF(high, df: df) < p { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if mid == low || mid == high { break }
            if studentTCDF(mid, df: df) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// P(F > f) for the F distribution with (d1, d2) degrees of freedom.
    static func fSurvival(_ f: Double, d1: Double, d2: Double) -> Double {
        guard f > 0 else { return 1 }
        return regularizedIncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))
    }
}
