import Foundation

/// Asks the orchestrator about its result cache, or to purge part of it; answered on
/// `reply_to` with a ``CacheReply``. Sent like a status query (routing key `status`), with
/// `type` `cache_query` (statistics only) or `cache_purge`.
public struct CacheRequest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    /// For a purge: only entries of this analyser (`builtin`, `llm`, `llm:<model>`,
    /// `external:<version>`); every analyser when nil.
    public var analyser: String?
    /// For a purge: only entries made before this time; any age when nil.
    public var olderThan: Date?

    public init(analyser: String? = nil, olderThan: Date? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.analyser = analyser
        self.olderThan = olderThan
    }
}

/// The result cache's contents by analyser, after any purge the request asked for.
public struct CacheReply: Sendable, Hashable, Codable {
    public struct AnalyserEntries: Sendable, Hashable, Codable {
        public var analyser: String
        public var entries: Int
        /// The stored analyses' size.
        public var bytes: Int
        /// What making them cost: what each re-use saves.
        public var inputTokens: Int
        public var outputTokens: Int
        public var cost: Double
        public var oldest: Date
        public var newest: Date

        public init(analyser: String, entries: Int, bytes: Int, inputTokens: Int, outputTokens: Int, cost: Double, oldest: Date, newest: Date) {
            self.analyser = analyser
            self.entries = entries
            self.bytes = bytes
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cost = cost
            self.oldest = oldest
            self.newest = newest
        }
    }

    public var schemaVersion: Int
    public var analysers: [AnalyserEntries]
    /// Entries the purge removed; nil for a query.
    public var removed: Int?

    public init(analysers: [AnalyserEntries], removed: Int? = nil) {
        self.schemaVersion = MessageCoding.schemaVersion
        self.analysers = analysers
        self.removed = removed
    }
}
