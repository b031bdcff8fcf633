/// One document's score on one dimension.
public struct DimensionScore: Sendable, Hashable, Codable {
    /// raises / (raises + lowers + 1): in [0, 1), higher with more raising evidence, pulled down by lowering evidence.
    public var rawScore: Double
    /// Marker hits (raising and lowering) per 100 words.
    public var salience: Double
    /// hits / (hits + 2): how much evidence the score rests on, in [0, 1).
    public var confidence: Double
    public var raisesHits: Int
    public var lowersHits: Int
    /// Up to five distinct sentences that matched, in text order.
    public var evidence: [Evidence]

    public init(rawScore: Double, salience: Double, confidence: Double, raisesHits: Int, lowersHits: Int, evidence: [Evidence]) {
        self.rawScore = rawScore
        self.salience = salience
        self.confidence = confidence
        self.raisesHits = raisesHits
        self.lowersHits = lowersHits
        self.evidence = evidence
    }
}
