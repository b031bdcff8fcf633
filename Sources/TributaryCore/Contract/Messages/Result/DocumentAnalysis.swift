/// The analysis of one document.
public struct DocumentAnalysis: Sendable, Hashable, Codable {
    public var id: String
    public var wordCount: Int
    public var metadata: [String: String]
    public var scores: [String: DimensionScore]
    /// Derived metrics over raw scores; nil where undefined (e.g. division by zero).
    public var derived: [String: Double?]
    /// How a language model produced the scores; absent for the phrase matcher.
    public var provenance: ModelProvenance?

    public init(id: String, wordCount: Int, metadata: [String: String], scores: [String: DimensionScore], derived: [String: Double?]) {
        self.id = id
        self.wordCount = wordCount
        self.metadata = metadata
        self.scores = scores
        self.derived = derived
        self.provenance = nil
    }
}
