/// Agreement between replicated scores of the same documents.
public enum Agreement {
    /// Krippendorff's alpha with the interval metric: `units` holds each document's scores,
    /// one per replicate that produced one (a failed replicate is simply absent). Documents
    /// with fewer than two scores cannot be paired and are left out, as the coincidence
    /// matrix leaves them out. Nil with nothing pairable, or when every score is the same
    /// (no expected disagreement to compare with).
    ///
    /// With the squared difference as the metric, both disagreements reduce to sums of
    /// squared deviations: observed, per unit, 2·m·Σ(v − v̄ᵤ)² / (m − 1); expected, over all
    /// pairable values, 2·n·Σ(v − v̄)² / (n − 1). Centring first keeps the sums exact where
    /// the raw-moment form would cancel.
    public static func krippendorffInterval(_ units: [[Double]]) -> Double? {
        let pairable = units.filter { $0.count >= 2 }
        let values = pairable.joined()
        let n = Double(values.count)
        guard n > 1 else { return nil }
        let grandMean = values.reduce(0, +) / n
        let expected = 2 * n * values.reduce(0) { $0 + ($1 - grandMean) * ($1 - grandMean) } / (n - 1)
        guard expected > 0 else { return nil }
        var observed = 0.0
        for unit in pairable {
            let m = Double(unit.count)
            let mean = unit.reduce(0, +) / m
            observed += 2 * m * unit.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)
        }
        return 1 - observed / expected
    }

    /// The 2.5th and 97.5th percentiles of alpha over `resamples` resamples of the documents
    /// (with replacement), drawn from a generator seeded with `seed`: the same scores always
    /// give the same interval, so a report stays byte-identical. Resamples where alpha is
    /// undefined are skipped; nil when fewer than half of them had one.
    public static func bootstrapInterval(_ units: [[Double]], resamples: Int, seed: UInt64) -> [Double]? {
        let pairable = units.filter { $0.count >= 2 }
        guard pairable.count >= 2, resamples > 0 else { return nil }
        var generator = SplitMix64(seed: seed)
        var alphas: [Double] = []
        alphas.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let sample = (0..<pairable.count).map { _ in pairable[Int(generator.next() % UInt64(pairable.count))] }
            if let alpha = krippendorffInterval(sample) { alphas.append(alpha) }
        }
        guard alphas.count * 2 >= resamples else { return nil }
        alphas.sort()
        return [percentile(alphas, 0.025), percentile(alphas, 0.975)]
    }

    /// The share of documents with at least two scores whose scores span more than `threshold`.
    public static func spreadShare(_ units: [[Double]], above threshold: Double) -> Double? {
        let pairable = units.filter { $0.count >= 2 }
        guard !pairable.isEmpty else { return nil }
        let wide = pairable.filter { ($0.max() ?? 0) - ($0.min() ?? 0) > threshold }.count
        return Double(wide) / Double(pairable.count)
    }

    /// Linear interpolation between the closest ranks (NumPy's default), on sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}

/// A small, fast generator with a fixed sequence for a seed: Swift's own generator is not
/// seedable, and the bootstrap must draw the same resamples on every machine.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
