import TributaryCore

/// A store that lives in memory: for tests and for trying the logic without a database.
/// Not durable; the SQLite store is the production one.
public final class InMemoryExperimentStore: ExperimentStoreTransaction {
    public private(set) var experiments: [String: ExperimentRecord] = [:]
    public private(set) var specs: [String: [UInt8]] = [:]
    public private(set) var batches: [String: [Int: [UInt8]]] = [:]
    public private(set) var outbox: [OutboundMessage] = []

    public init() {}

    public func experiment(id: String) throws -> ExperimentRecord? { experiments[id] }

    public func create(_ record: ExperimentRecord, spec: [UInt8]) throws {
        experiments[record.id] = record
        specs[record.id] = spec
    }

    public func save(_ record: ExperimentRecord) throws { experiments[record.id] = record }

    public func spec(experimentID: String) throws -> [UInt8]? { specs[experimentID] }

    public func recordBatchResult(experimentID: String, batchIndex: Int, result: [UInt8]) throws -> Bool {
        guard batches[experimentID]?[batchIndex] == nil else { return false }
        batches[experimentID, default: [:]][batchIndex] = result
        return true
    }

    public func batchResults(experimentID: String) throws -> [[UInt8]] {
        (batches[experimentID] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    public func enqueue(_ message: OutboundMessage) throws { outbox.append(message) }

    /// Takes the outbox's messages, as a publisher would once the broker confirmed them.
    public func drainOutbox() -> [OutboundMessage] {
        defer { outbox.removeAll() }
        return outbox
    }
}
