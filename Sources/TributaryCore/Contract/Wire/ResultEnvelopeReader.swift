import Foundation

/// Reads a task result's envelope straight from its bytes, without Foundation's decoder.
///
/// The orchestrator needs a result's identity and status, not its output, and a decoder that
/// builds a tree of every result costs more than the rest of its work together. This reader
/// accepts only the canonical form agents write (snake_case keys, plain strings, integer
/// fields, `YYYY-MM-DDTHH:MM:SSZ` times) after a full grammar check of the whole message;
/// anything else returns nil and goes through the general decoder, which gives the same
/// value or the precise error. So the two never disagree on what a message means.
enum ResultEnvelopeReader {
    static func read(_ bytes: [UInt8]) -> TaskResult<RawJSON>? {
        guard let object = JSONMembers(bytes) else { return nil }
        // Any other key might be a spelling the general decoder maps onto one of ours.
        for member in object.members {
            guard !member.keyHasEscapes, knownKeys.contains(where: { bytes[member.key].elementsEqual($0) }) else { return nil }
        }
        guard object.members.count == Set(object.members.map { bytes[$0.key] }.map(Array.init)).count else { return nil }
        func string(_ key: StaticString) -> String? {
            guard let range = object.value(key) else { return nil }
            return plainString(bytes[range])
        }
        func integer(_ key: StaticString) -> Int?? {
            guard let range = object.value(key) else { return .some(nil) }
            if bytes[range].elementsEqual("null".utf8) { return .some(nil) }
            return plainInteger(bytes[range]).map { .some($0) }
        }
        guard let schemaVersionField = integer("schema_version"), let schemaVersion = schemaVersionField,
            schemaVersion == MessageCoding.schemaVersion,
            let taskID = string("task_id"), let experimentID = string("experiment_id"),
            let taskType = string("task_type").flatMap(TaskType.init(rawValue:)),
            let status = string("status").flatMap(TaskStatus.init(rawValue:)),
            let workerID = string("worker_id"),
            let startedAt = string("started_at").flatMap(timestamp), let finishedAt = string("finished_at").flatMap(timestamp),
            let batchIndex = integer("batch_index"), let attemptField = integer("attempt"), let runField = integer("run")
        else { return nil }
        var error: TaskFailure?
        if let range = object.value("error"), !bytes[range].elementsEqual("null".utf8) {
            // Only failures carry one; they are rare enough for the general decoder.
            guard let failure = try? MessageCoding.decoder().decode(TaskFailure.self, from: Data(bytes[range])) else { return nil }
            error = failure
        }
        var output: RawJSON?
        if let range = object.value("result"), !bytes[range].elementsEqual("null".utf8) { output = RawJSON(bytes: Array(bytes[range])) }
        var result = TaskResult<RawJSON>(
            task: TaskIdentity(taskID: taskID, experimentID: experimentID, taskType: taskType, batchIndex: batchIndex),
            attempt: attemptField ?? 1, run: runField ?? 1, status: status, result: output, error: error, workerID: workerID, startedAt: startedAt,
            finishedAt: finishedAt)
        result.schemaVersion = schemaVersion
        return result
    }

    private static let knownKeys: [[UInt8]] = [
        "schema_version", "task_id", "experiment_id", "task_type", "batch_index", "attempt", "run", "status", "result", "error", "worker_id",
        "started_at", "finished_at",
    ].map { Array($0.utf8) }

    /// A JSON string value without escapes (already checked as valid UTF-8), unquoted.
    private static func plainString(_ value: ArraySlice<UInt8>) -> String? {
        guard value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") else { return nil }
        let inner = value.dropFirst().dropLast()
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// An integer written as plain digits (optionally negative), within Int's range.
    private static func plainInteger(_ value: ArraySlice<UInt8>) -> Int? {
        var digits = value[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let magnitude = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return negative ? -magnitude : magnitude
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the form the contract's encoder writes.
    static func timestamp(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 20, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"), utf8[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in utf8[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day >= 1, day <= monthDays[month - 1] else { return nil }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}
