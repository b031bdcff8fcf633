import TributaryCore

/// The experiment records one transaction has read or saved, and which of them changed. A
/// group commit applies many results of the same experiment: the record is read once and
/// written once, when the transaction flushes, instead of once per result.
package struct RecordWriteBack {
    private var records: [String: ExperimentRecord] = [:]
    private var changed: Set<String> = []

    package init() {}

    package subscript(id: String) -> ExperimentRecord? { records[id] }

    /// A record as read from the database; a record saved here is newer and is kept.
    package mutating func read(_ record: ExperimentRecord) {
        if records[record.id] == nil { records[record.id] = record }
    }

    /// A record just written (created): known, and not changed since.
    package mutating func written(_ record: ExperimentRecord) {
        records[record.id] = record
    }

    package mutating func save(_ record: ExperimentRecord) {
        records[record.id] = record
        changed.insert(record.id)
    }

    /// The records saved since the last call, in id order (the order rows are locked in),
    /// now counted as written.
    package mutating func takeChanged() -> [ExperimentRecord] {
        defer { changed.removeAll() }
        return changed.sorted().compactMap { records[$0] }
    }
}
