/// A sentence that matched a marker phrase, located by code-point offsets in the document.
public struct Evidence: Sendable, Hashable, Codable {
    public var sentence: String
    public var start: Int
    public var end: Int
    public var phrase: String
}

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
}

/// The analysis of one document.
public struct DocumentAnalysis: Sendable, Hashable, Codable {
    public var id: String
    public var wordCount: Int
    public var metadata: [String: String]
    public var scores: [String: DimensionScore]
    /// Derived metrics over raw scores; nil where undefined (e.g. division by zero).
    public var derived: [String: Double?]
}

/// What an `analyse_batch` task returns.
public struct BatchAnalysis: Sendable, Hashable, Codable {
    public var batchIndex: Int
    public var documents: [DocumentAnalysis]
}
