/// The report's "Model and provenance": which model scored the corpus, with what settings,
/// at what cost in calls and tokens, and each document's own record.
public struct ReportProvenance: Sendable, Hashable, Codable {
    public struct DocumentEntry: Sendable, Hashable, Codable {
        public var id: String
        public var model: String
        public var systemFingerprint: String?
        public var inputTokens: Int
        public var outputTokens: Int
        public var calls: Int
        public var latencyMilliseconds: Int

        public init(id: String, provenance: ModelProvenance) {
            self.id = id
            model = provenance.model
            systemFingerprint = provenance.systemFingerprint
            inputTokens = provenance.inputTokens
            outputTokens = provenance.outputTokens
            calls = provenance.calls
            latencyMilliseconds = provenance.latencyMilliseconds
        }
    }

    /// The models as the endpoint named them in its answers, each once.
    public var models: [String]
    public var systemFingerprints: [String]
    /// The settings sent, when every call had the same.
    public var seed: Int?
    public var temperature: Double?
    public var documentsScored: Int
    public var calls: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var repairs: Int
    public var unverifiedEvidence: Int
    /// One entry per scored document, in batch order, up to ``maximumDocuments``; the raw
    /// responses stay in the batch results.
    public var documents: [DocumentEntry]
    /// Scored documents beyond ``maximumDocuments``, counted but not listed.
    public var documentsNotListed: Int

    /// Keeps the report (one message) bounded however large the corpus.
    public static let maximumDocuments = 1_000

    /// The provenance of a corpus's analyses; nil when none of them came from a model.
    /// Repairs and dropped quotes are counted from the documents, not the batches' usage: a
    /// document from the result cache brings its own, and a batch that never ran has none.
    public init?(documents: [DocumentAnalysis]) {
        let scored = documents.compactMap { document in document.provenance.map { (document.id, $0) } }
        guard !scored.isEmpty else { return nil }
        models = Array(Set(scored.map(\.1.model))).sorted()
        systemFingerprints = Array(Set(scored.compactMap(\.1.systemFingerprint))).sorted()
        let seeds = Set(scored.map(\.1.seed))
        seed = seeds.count == 1 ? seeds.first! : nil
        let temperatures = Set(scored.map(\.1.temperature))
        temperature = temperatures.count == 1 ? temperatures.first : nil
        documentsScored = scored.count
        calls = scored.reduce(0) { $0 + $1.1.calls }
        inputTokens = scored.reduce(0) { $0 + $1.1.inputTokens }
        outputTokens = scored.reduce(0) { $0 + $1.1.outputTokens }
        repairs = scored.reduce(0) { $0 + ($1.1.calls > 1 ? 1 : 0) }
        unverifiedEvidence = scored.reduce(0) { $0 + ($1.1.unverifiedEvidence ?? 0) }
        self.documents = scored.prefix(Self.maximumDocuments).map { DocumentEntry(id: $0.0, provenance: $0.1) }
        documentsNotListed = max(0, scored.count - Self.maximumDocuments)
    }
}
