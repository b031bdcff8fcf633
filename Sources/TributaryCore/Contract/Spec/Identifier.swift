/// The rules for identifiers the contract derives AMQP names from.
///
/// An experiment id becomes part of message ids (`<id>.analyse_batch.<n>.result`), routing
/// keys (`experiment.<id>.<state>`) and binding patterns, all AMQP short strings of at most
/// 255 bytes, where `.`, `*` and `#` mean something. So it is short and plain: 1 to 128 of
/// `A-Z a-z 0-9 _ -`. Client-generated ids (lowercase UUIDs) always qualify.
public enum Identifier {
    public static let maximumExperimentIDLength = 128

    public static func validateExperimentID(_ id: String) throws(ContractError) {
        guard !id.isEmpty, id.utf8.count <= maximumExperimentIDLength,
            id.utf8.allSatisfy({ isPlain($0) })
        else {
            let shown = id.count > 40 ? "\(id.prefix(40))… (\(id.utf8.count) bytes)" : id
            throw ContractError(
                .invalidIdentifier,
                "experiment_id '\(shown)' must be 1 to \(maximumExperimentIDLength) characters of A-Z, a-z, 0-9, '_' and '-'")
        }
    }

    /// A task id must be the one the contract derives from its experiment, type and batch.
    public static func validateTask(_ task: TaskIdentity) throws(ContractError) {
        try validateExperimentID(task.experimentID)
        if let index = task.batchIndex, index < 0 {
            throw ContractError(.invalidIdentifier, "batch_index \(index) is negative")
        }
        let expected = task.taskType.taskID(experimentID: task.experimentID, batchIndex: task.batchIndex)
        guard task.taskID == expected else {
            throw ContractError(
                .invalidIdentifier, "task_id '\(task.taskID.prefix(80))' does not match its experiment, type and batch (expected '\(expected)')")
        }
    }

    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
