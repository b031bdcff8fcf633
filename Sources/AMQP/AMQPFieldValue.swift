/// An AMQP field table: header maps and declaration arguments.
public typealias AMQPTable = [String: AMQPFieldValue]

/// A value in an AMQP field table or array.
///
/// Covers every field type RabbitMQ accepts. Unsigned 64-bit integers are absent on
/// purpose: RabbitMQ rejects the `L` type, so offering it would only move the error later.
public enum AMQPFieldValue: Sendable, Hashable {
    case bool(Bool)
    case int8(Int8)
    case uint8(UInt8)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    case decimal(AMQPDecimal)
    case string(String)
    case bytes([UInt8])
    case array([AMQPFieldValue])
    case table(AMQPTable)
    /// Seconds since the Unix epoch; AMQP timestamps have whole-second precision.
    case timestamp(UInt64)
    case void
}

/// An AMQP decimal: `value × 10^-scale`.
public struct AMQPDecimal: Sendable, Hashable {
    public var scale: UInt8
    public var value: UInt32

    public init(scale: UInt8, value: UInt32) {
        self.scale = scale
        self.value = value
    }
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension AMQPFieldValue {
    /// The value as a string, if it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as an integer, whatever its width, if it is an integer that fits.
    public var intValue: Int? {
        switch self {
        case .int8(let v): return Int(v)
        case .uint8(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }
}
