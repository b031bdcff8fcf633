import Foundation
import Logging
import Synchronization

/// Writes each message as one JSON object on one line: `timestamp` (ISO 8601, UTC,
/// milliseconds), `level`, `label`, `message`, `source`, and every metadata key at the top
/// level (`tributary.experiment_id`, `amqp.connection`, …). Keys are sorted, so lines are
/// stable to diff and grep.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: Output

    /// Where lines go; one lock per destination, so concurrent lines never interleave.
    final class Output: Sendable {
        private let lock = Mutex(())
        private let write: @Sendable (String) -> Void

        init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

        static let standardError = Output { line in FileHandle.standardError.write(Data(line.utf8)) }

        func emit(_ line: String) { lock.withLock { _ in write(line) } }
    }

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider, output: .standardError)
    }

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, output: Output) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var object: [String: String] = fields.mapValues(Self.json)
        object["timestamp"] = Self.quoted(Date().formatted(Self.timestampStyle))
        object["level"] = Self.quoted(event.level.rawValue)
        object["label"] = Self.quoted(label)
        object["message"] = Self.quoted(event.message.description)
        object["source"] = Self.quoted(event.source)
        let members = object.keys.sorted().map { "\(Self.quoted($0)):\(object[$0]!)" }
        output.emit("{" + members.joined(separator: ",") + "}\n")
    }

    /// `2026-11-25T21:52:01.066Z`
    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let values): "{" + values.keys.sorted().map { "\(quoted($0)):\(json(values[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
