/// What an experiment took from, and gave to, the result cache.
public struct CacheSummary: Sendable, Hashable, Codable {
    public var mode: CacheMode
    /// The analyser its entries are filed under (`builtin`, `llm:<model>`, `external:<version>`).
    public var analyser: String
    /// Documents whose analysis came from the cache and were not sent.
    public var documentsFromCache: Int
    /// Fresh analyses written to the cache as their batches were counted.
    public var documentsStored: Int
    /// What the cached analyses cost when they were made: spent once, not again.
    public var inputTokensSaved: Int
    public var outputTokensSaved: Int
    public var costSaved: Double

    public init(
        mode: CacheMode, analyser: String, documentsFromCache: Int = 0, documentsStored: Int = 0, inputTokensSaved: Int = 0,
        outputTokensSaved: Int = 0, costSaved: Double = 0
    ) {
        self.mode = mode
        self.analyser = analyser
        self.documentsFromCache = documentsFromCache
        self.documentsStored = documentsStored
        self.inputTokensSaved = inputTokensSaved
        self.outputTokensSaved = outputTokensSaved
        self.costSaved = costSaved
    }
}
