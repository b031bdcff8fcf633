import Foundation
import TributaryCore

/// A store that lives in memory: for tests and for trying the logic without a database.
/// Not durable; the SQLite and PostgreSQL stores are the production ones.
package final class InMemoryExperimentStore: ExperimentStoreTransaction {
    package private(set) var experiments: [String: ExperimentRecord] = [:]
    package private(set) var specs: [String: [UInt8]] = [:]
    package private(set) var batchRecords: [String: [Int: BatchRecord]] = [:]
    package private(set) var tasks: [String: [Int: [UInt8]]] = [:]
    package private(set) var results: [String: [Int: [UInt8]]] = [:]
    package private(set) var outbox: [OutboundMessage] = []

    package init() {}

    package func experiment(id: String) throws -> ExperimentRecord? { experiments[id] }

    package func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        experiments[record.id] = record
        specs[record.id] = spec
    }

    package func save(_ record: ExperimentRecord) throws { experiments[record.id] = record }

    package func spec(experimentID: String) throws -> [UInt8]? { specs[experimentID] }

    package func dueExperiments(at now: Date, limit: Int) throws -> [ExperimentRecord] {
        Array(experiments.values.filter { $0.stepDueAt.map { $0 <= now } ?? false }.sorted { ($0.stepDueAt!, $0.id) < ($1.stepDueAt!, $1.id) }.prefix(limit))
    }

    package func createBatches(experimentID: String, startingAt first: Int, tasks planned: [[UInt8]]) throws {
        for (offset, task) in planned.enumerated() {
            let index = first + offset
            batchRecords[experimentID, default: [:]][index] = BatchRecord(experimentID: experimentID, index: index)
            tasks[experimentID, default: [:]][index] = task
        }
    }

    package func batch(experimentID: String, index: Int) throws -> BatchRecord? { batchRecords[experimentID]?[index] }

    package func save(_ batch: BatchRecord) throws { batchRecords[batch.experimentID, default: [:]][batch.index] = batch }

    package func batchTask(experimentID: String, index: Int) throws -> [UInt8]? { tasks[experimentID]?[index] }

    package func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> BatchStatus.State? {
        guard var batch = batchRecords[experimentID]?[batchIndex], batch.state == .dispatched || batch.state == .retryWait else { return nil }
        let previous = batch.state
        batch.state = .succeeded
        batch.dueAt = nil
        batchRecords[experimentID]?[batchIndex] = batch
        results[experimentID, default: [:]][batchIndex] = result
        return previous
    }

    package func forEachBatchResult(experimentID: String, _ body: ([UInt8]) throws -> Void) throws {
        for (_, result) in (results[experimentID] ?? [:]).sorted(by: { $0.key < $1.key }) { try body(result) }
    }

    package func pendingBatches(experimentID: String, limit: Int) throws -> [BatchRecord] {
        try batches(experimentID: experimentID, in: [.pending], limit: limit)
    }

    package func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) throws -> [BatchRecord] {
        Array((batchRecords[experimentID] ?? [:]).values.filter { states.contains($0.state) }.sorted { $0.index < $1.index }.prefix(limit))
    }

    package func dueBatches(at now: Date, limit: Int) throws -> [BatchRecord] {
        let due = batchRecords.values.flatMap(\.values).filter { $0.dueAt.map { $0 <= now } ?? false }
        return Array(due.sorted { ($0.dueAt!, $0.experimentID, $0.index) < ($1.dueAt!, $1.experimentID, $1.index) }.prefix(limit))
    }

    package func clearBatchTimers(experimentID: String) throws {
        for index in (batchRecords[experimentID] ?? [:]).keys { batchRecords[experimentID]?[index]?.dueAt = nil }
    }

    package func enqueue(_ message: OutboundMessage) throws { outbox.append(message) }

    package var cache: [String: CachedAnalysis] = [:]
    package private(set) var cachePlans: [String: [Int: [UInt8]]] = [:]

    package func cachedAnalyses(keys: [String]) throws -> [String: CachedAnalysis] {
        Dictionary(keys.compactMap { key in cache[key].map { (key, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    package func storeCachedAnalyses(_ entries: [CachedAnalysis], replace: Bool) throws {
        for entry in entries where replace || cache[entry.key] == nil { cache[entry.key] = entry }
    }

    package func saveCachePlan(experimentID: String, batchIndex: Int, plan: [UInt8]) throws {
        cachePlans[experimentID, default: [:]][batchIndex] = plan
    }

    package func cachePlan(experimentID: String, batchIndex: Int) throws -> [UInt8]? { cachePlans[experimentID]?[batchIndex] }

    package func completeFromCache(experimentID: String, batchIndex: Int, result: [UInt8]) throws {
        guard var batch = batchRecords[experimentID]?[batchIndex], batch.state == .pending else { return }
        batch.state = .succeeded
        batch.dueAt = nil
        batchRecords[experimentID]?[batchIndex] = batch
        results[experimentID, default: [:]][batchIndex] = result
    }

    package var modelRates: [String: ModelRateState] = [:]
    package func modelRate(model: String) throws -> ModelRateState? { modelRates[model] }
    package func saveModelRate(_ state: ModelRateState, model: String) throws { modelRates[model] = state }

    /// Takes the outbox's messages, as a publisher would once the broker confirmed them.
    package func drainOutbox() -> [OutboundMessage] {
        defer { outbox.removeAll() }
        return outbox
    }
}
