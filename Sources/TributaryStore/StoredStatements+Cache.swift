import Foundation
import TributaryCore

/// The result cache's SQL, shared by both stores.
extension StoredStatements {
    package static let cacheColumns = "key, analyser, document_id, result, input_tokens, output_tokens, cost, created_at, experiment_id"

    /// An entry is never overwritten by the same analysis made twice (``replace`` false): the
    /// first counted one stays, whichever orchestrator counted it.
    package func insertCachedAnalysis(replace: Bool) -> String {
        let values = (1...9).map { parameter($0) }.joined(separator: ", ")
        return "INSERT INTO analysis_cache (\(Self.cacheColumns)) VALUES (\(values)) ON CONFLICT (key) \(Self.cacheConflict(replace: replace))"
    }

    /// What an insert does with an entry already there: keep it, or (refresh) overwrite it.
    package static func cacheConflict(replace: Bool) -> String {
        replace
            ? "DO UPDATE SET analyser = excluded.analyser, document_id = excluded.document_id, result = excluded.result, "
                + "input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cost = excluded.cost, "
                + "created_at = excluded.created_at, experiment_id = excluded.experiment_id"
            : "DO NOTHING"
    }

    package static func values(of entry: CachedAnalysis) -> [StoredValue] {
        [
            .text(entry.key), .text(entry.analyser), .text(entry.documentID), .blob(entry.result), .integer(Int64(entry.inputTokens)),
            .integer(Int64(entry.outputTokens)), .real(entry.cost), .real(entry.createdAt.timeIntervalSince1970), .text(entry.experimentID),
        ]
    }

    package static func cachedAnalysis(from row: some StoredRow) throws -> CachedAnalysis {
        CachedAnalysis(
            key: try row.text("key"), analyser: try row.text("analyser"), documentID: try row.text("document_id"), result: try row.bytes("result"),
            inputTokens: Int(try row.integer("input_tokens")), outputTokens: Int(try row.integer("output_tokens")), cost: try row.real("cost"),
            createdAt: Date(timeIntervalSince1970: try row.real("created_at")), experimentID: try row.text("experiment_id"))
    }

    package var saveCachePlan: String {
        "INSERT INTO batch_cache_plans (experiment_id, batch_index, plan) VALUES (\(parameter(1)), \(parameter(2)), \(parameter(3))) "
            + "ON CONFLICT (experiment_id, batch_index) DO UPDATE SET plan = excluded.plan"
    }

    package var selectCachePlan: String {
        "SELECT plan FROM batch_cache_plans WHERE experiment_id = \(parameter(1)) AND batch_index = \(parameter(2))"
    }

    package var completeFromCache: String {
        "UPDATE batches SET state = 'succeeded', due_at = NULL, result = \(parameter(3)) "
            + "WHERE experiment_id = \(parameter(1)) AND batch_index = \(parameter(2)) AND state = 'pending'"
    }

    /// One row per analyser: its entries, their size and what making them cost.
    package var cacheStatistics: String {
        let size = dialect == .sqlite ? "SUM(LENGTH(result))" : "SUM(octet_length(result))::bigint"
        let tokens = dialect == .sqlite ? ("SUM(input_tokens)", "SUM(output_tokens)") : ("SUM(input_tokens)::bigint", "SUM(output_tokens)::bigint")
        return """
            SELECT analyser, COUNT(*) AS entries, \(size) AS bytes, \(tokens.0) AS input_tokens, \(tokens.1) AS output_tokens,
                SUM(cost) AS cost, MIN(created_at) AS oldest, MAX(created_at) AS newest
            FROM analysis_cache GROUP BY analyser ORDER BY analyser
            """
    }

    /// Deletes the entries of `analyser` (a label, or a kind that matches every label of
    /// that kind: `llm` matches `llm:<model>`) made before `olderThan`; either may be absent.
    package func purgeCache(analyser: String?, olderThan: Date?) -> (sql: String, values: [StoredValue]) {
        var conditions: [String] = []
        var values: [StoredValue] = []
        if let analyser {
            values.append(.text(analyser))
            values.append(.text(analyser + ":"))
            conditions.append(
                "(analyser = \(parameter(values.count - 1)) OR substr(analyser, 1, \(analyser.unicodeScalars.count + 1)) = \(parameter(values.count)))")
        }
        if let olderThan {
            values.append(.real(olderThan.timeIntervalSince1970))
            conditions.append("created_at < \(parameter(values.count))")
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return ("DELETE FROM analysis_cache" + filter, values)
    }
}

extension StoredStatements {
    package static func analyserEntries(from row: some StoredRow) throws -> CacheReply.AnalyserEntries {
        CacheReply.AnalyserEntries(
            analyser: try row.text("analyser"), entries: Int(try row.integer("entries")), bytes: Int(try row.integer("bytes")),
            inputTokens: Int(try row.integer("input_tokens")), outputTokens: Int(try row.integer("output_tokens")), cost: try row.real("cost"),
            oldest: Date(timeIntervalSince1970: try row.real("oldest")), newest: Date(timeIntervalSince1970: try row.real("newest")))
    }
}
