import TributaryCore

/// A store that lives in memory: for tests and for trying the logic without a database.
/// Not durable; the SQLite store is the production one.
package final class InMemoryExperimentStore: ExperimentStoreTransaction {
    package private(set) var experiments: [String: ExperimentRecord] = [:]
    package private(set) var specs: [String: [UInt8]] = [:]
    package private(set) var batches: [String: [Int: [UInt8]]] = [:]
    package private(set) var outbox: [OutboundMessage] = []

    package init() {}

    package func experiment(id: String) throws -> ExperimentRecord? { experiments[id] }

    package func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        experiments[record.id] = record
        specs[record.id] = spec
    }

    package func save(_ record: ExperimentRecord) throws { experiments[record.id] = record }

    package func spec(experimentID: String) throws -> [UInt8]? { specs[experimentID] }

    package func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> Bool {
        guard batches[experimentID]?[batchIndex] == nil else { return false }
        batches[experimentID, default: [:]][batchIndex] = result
        return true
    }

    package func batchResults(experimentID: String) throws -> [[UInt8]] {
        (batches[experimentID] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    package func enqueue(_ message: OutboundMessage) throws { outbox.append(message) }

    /// Takes the outbox's messages, as a publisher would once the broker confirmed them.
    package func drainOutbox() -> [OutboundMessage] {
        defer { outbox.removeAll() }
        return outbox
    }
}
