import Foundation
import Testing
import TributaryCore
import TributaryStore

/// What every store must do with the result cache, checked on each backend by its own tests.
package enum ResultCacheStoreContract {
    static let now = Date(timeIntervalSince1970: 1_764_000_000)

    static func entry(_ key: String, analyser: String = "llm:m", experiment: String = "e1", age: TimeInterval = 0, cost: Double = 0.5)
        -> CachedAnalysis
    {
        CachedAnalysis(
            key: key, analyser: analyser, documentID: "doc-\(key)", result: Array("{\"id\":\"\(key)\"}".utf8), inputTokens: 100, outputTokens: 20,
            cost: cost, createdAt: now - age, experimentID: experiment)
    }

    /// Entries are found by key, kept against a second writer unless replaced, counted by
    /// analyser and purged by analyser and age; batch plans and cached batches persist.
    package static func check(_ store: any ExperimentStore) async throws {
        _ = try await store.transaction(locking: []) { transaction in
            try transaction.storeCachedAnalyses(
                [entry("k1"), entry("k2", age: 86_400 * 10), entry("k3", analyser: "builtin", cost: 0), entry("k4", analyser: "llm:other")],
                replace: false)
            // Another orchestrator made k1 too: the first entry stays.
            try transaction.storeCachedAnalyses([entry("k1", experiment: "e2")], replace: false)
        }
        let (found, _) = try await store.transaction(locking: []) { try $0.cachedAnalyses(keys: ["k1", "k2", "missing"]) }
        #expect(Set(found.keys) == ["k1", "k2"])
        #expect(found["k1"] == entry("k1"))
        _ = try await store.transaction(locking: []) { try $0.storeCachedAnalyses([entry("k1", experiment: "e3")], replace: true) }
        let (replaced, _) = try await store.transaction(locking: []) { try $0.cachedAnalyses(keys: ["k1"]) }
        #expect(replaced["k1"]?.experimentID == "e3")

        var statistics = try await store.cacheStatistics()
        #expect(statistics.map(\.analyser) == ["builtin", "llm:m", "llm:other"])
        let model = try #require(statistics.first { $0.analyser == "llm:m" })
        #expect(model.entries == 2 && model.inputTokens == 200 && model.outputTokens == 40 && abs(model.cost - 1) < 1e-12)
        #expect(model.bytes == entry("k1").result.count * 2)
        #expect(model.oldest == now - 86_400 * 10 && model.newest == now)

        #expect(try await store.purgeCache(analyser: "llm", olderThan: now - 86_400) == 1, "only k2 is both an llm entry and old")
        #expect(try await store.purgeCache(analyser: "llm:other", olderThan: nil) == 1)
        #expect(try await store.purgeCache(analyser: "ll", olderThan: nil) == 0, "a kind matches whole labels only")
        statistics = try await store.cacheStatistics()
        #expect(statistics.map(\.analyser) == ["builtin", "llm:m"] && statistics.map(\.entries) == [1, 1])
        #expect(try await store.purgeCache(analyser: nil, olderThan: nil) == 2)
        #expect(try await store.cacheStatistics().isEmpty)

        let plan = Array("{\"entries\":[]}".utf8)
        _ = try await store.transaction(locking: []) { transaction in
            try transaction.createBatches(experimentID: "e", tasks: [[0], [1]])
            try transaction.saveCachePlan(experimentID: "e", batchIndex: 1, plan: plan)
            try transaction.completeFromCache(experimentID: "e", batchIndex: 0, result: [7])
        }
        let (stored, _) = try await store.transaction(locking: []) { transaction in
            (
                try transaction.cachePlan(experimentID: "e", batchIndex: 1), try transaction.cachePlan(experimentID: "e", batchIndex: 0),
                try transaction.batch(experimentID: "e", index: 0)?.state, try transaction.batchResults(experimentID: "e")
            )
        }
        #expect(stored.0 == plan && stored.1 == nil)
        #expect(stored.2 == .succeeded && stored.3 == [[7]])
    }
}
