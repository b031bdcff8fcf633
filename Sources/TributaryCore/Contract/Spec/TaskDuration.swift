import Foundation

/// A duration as experiments spell it: a whole number and a unit, `ms`, `s`, `m` or `h`
/// (`250ms`, `2s`, `15m`, `1h`). The same text in YAML and in the JSON contract.
public struct TaskDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    public static func seconds(_ seconds: Int64) -> Self { Self(milliseconds: seconds * 1_000) }
    public static func minutes(_ minutes: Int64) -> Self { Self(milliseconds: minutes * 60_000) }

    /// Parses `<digits><unit>`; nil for anything else (negative, fractional, unknown unit).
    public init?(parsing text: String) {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for (unit, factor) in units where trimmed.hasSuffix(unit) {
            let number = trimmed.dropLast(unit.count)
            // "5ms" also ends in "s": only a run of digits before the unit counts.
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                let value = Int64(number), value <= Int64.max / factor
            else { continue }
            self.init(milliseconds: value * factor)
            return
        }
        return nil
    }

    public var duration: Duration { .milliseconds(milliseconds) }
    public var seconds: Double { Double(milliseconds) / 1_000 }

    /// The shortest exact spelling: `90s`, `15m`, `1500ms`.
    public var description: String {
        for (unit, factor) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1_000)] where milliseconds % factor == 0 && milliseconds != 0 {
            return "\(milliseconds / factor)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    public static func < (a: Self, b: Self) -> Bool { a.milliseconds < b.milliseconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a duration such as 500ms, 2s, 15m or 1h")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
