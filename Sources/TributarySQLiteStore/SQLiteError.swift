/// A failed SQLite call: the result code, SQLite's message, and what we were doing.
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var operation: String

    public var description: String { "SQLite error \(code) during \(operation): \(message)" }
}
