/// Why the store can't be used, beyond a failed SQLite call (``SQLiteError``).
public struct ExperimentStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The database was written by a newer orchestrator, with a schema this one does not know.
        case schemaTooNew = "schema_too_new"
        /// The store was used after it was closed.
        case closed
        /// Another orchestrator has the database open: SQLite is for one orchestrator at a time.
        case inUse = "in_use"
    }

    public var code: Code
    /// The database file concerned.
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(path): \(message)" }
}
