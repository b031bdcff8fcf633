import Foundation

/// One document's analysis in the result cache, with what making it cost.
package struct CachedAnalysis: Sendable, Hashable {
    /// ``AnalysisCacheKeys/key(for:replicate:)``.
    package var key: String
    /// ``AnalysisCacheKeys/label``.
    package var analyser: String
    /// The document as the experiment that made the entry named it.
    package var documentID: String
    /// The ``DocumentAnalysis``, JSON-encoded, with all of its evidence.
    package var result: [UInt8]
    package var inputTokens: Int
    package var outputTokens: Int
    package var cost: Double
    package var createdAt: Date
    package var experimentID: String

    package init(
        key: String, analyser: String, documentID: String, result: [UInt8], inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0,
        createdAt: Date, experimentID: String
    ) {
        self.key = key
        self.analyser = analyser
        self.documentID = documentID
        self.result = result
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.createdAt = createdAt
        self.experimentID = experimentID
    }
}

/// A batch's documents in plan order, each with its cache key and, where the cache had it,
/// its analysis: what the batch's result is merged with when it is counted. Kept for every
/// batch of an experiment that writes the cache, so the merge and the writes need nothing but
/// the result.
package struct BatchCachePlan: Sendable, Hashable, Codable {
    package struct Entry: Sendable, Hashable, Codable {
        package var id: String
        package var key: String
        /// The cached analysis, already carrying this experiment's id and metadata.
        package var cached: DocumentAnalysis?

        package init(id: String, key: String, cached: DocumentAnalysis? = nil) {
            self.id = id
            self.key = key
            self.cached = cached
        }
    }

    package var entries: [Entry]

    package init(entries: [Entry]) { self.entries = entries }
}
