import Foundation

/// How many batches of an experiment may fail for good before the experiment fails:
/// a count (`3`) or a share of the batches (`5%`). Written as text or, for a count, a number.
public enum FailureTolerance: Sendable, Hashable, Codable, CustomStringConvertible {
    case count(Int)
    /// Percent of the batches, 0 to 100.
    case percent(Double)

    public static let none = FailureTolerance.count(0)

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value.isFinite, (0...100).contains(value) else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { return nil }
            self = .count(value)
        }
    }

    /// The most batches of `batchCount` that may fail: a share rounds down.
    public func allowedFailures(of batchCount: Int) -> Int {
        switch self {
        case .count(let count): min(count, batchCount)
        case .percent(let percent): Int((Double(batchCount) * percent / 100).rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .count(let count): "\(count)"
        case .percent(let percent): percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let count = try? container.decode(Int.self) {
            guard count >= 0 else { throw DecodingError.dataCorruptedError(in: container, debugDescription: "a count of batches can't be negative") }
            self = .count(count)
            return
        }
        let text = try container.decode(String.self)
        guard let value = Self(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is neither a count (\"3\") nor a share (\"5%\") of batches")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
