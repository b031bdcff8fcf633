/// One document's score on one dimension.
///
/// The phrase matcher fills every field. A language model fills `raw_score` (its score),
/// `confidence` and `evidence` (its quotes, verified against the text); `salience`,
/// `raises_hits` and `lowers_hits` count marker phrases, which only phrase matching does, and
/// are null in its results.
public struct DimensionScore: Sendable, Hashable, Codable {
    /// Phrase matching: raises / (raises + lowers + 1), in [0, 1), higher with more raising
    /// evidence, pulled down by lowering evidence. A model: its score in [0, 1].
    public var rawScore: Double
    /// Marker hits (raising and lowering) per 100 words; null for a model's score.
    public var salience: Double?
    /// Phrase matching: hits / (hits + 2), how much evidence the score rests on, in [0, 1).
    /// A model: the confidence it stated, in [0, 1].
    public var confidence: Double
    public var raisesHits: Int?
    public var lowersHits: Int?
    /// Phrase matching: up to five distinct sentences that matched, in text order. A model:
    /// up to three quotes found verbatim in the text.
    public var evidence: [Evidence]

    public init(rawScore: Double, salience: Double?, confidence: Double, raisesHits: Int?, lowersHits: Int?, evidence: [Evidence]) {
        self.rawScore = rawScore
        self.salience = salience
        self.confidence = confidence
        self.raisesHits = raisesHits
        self.lowersHits = lowersHits
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case rawScore, salience, confidence, raisesHits, lowersHits, evidence
    }

    /// The counts are written even when null, so that a reader sees the field is not a
    /// phrase matcher's zero.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rawScore, forKey: .rawScore)
        try container.encode(salience, forKey: .salience)
        try container.encode(confidence, forKey: .confidence)
        try container.encode(raisesHits, forKey: .raisesHits)
        try container.encode(lowersHits, forKey: .lowersHits)
        try container.encode(evidence, forKey: .evidence)
    }
}
