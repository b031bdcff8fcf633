/// Why the store can't be used, beyond a failed database call (a backend's own error).
public struct ExperimentStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The database was written by a newer orchestrator, with a schema this one does not know.
        case schemaTooNew = "schema_too_new"
        /// The store was used after it was closed.
        case closed
        /// Another orchestrator has the database open: SQLite is for one orchestrator at a time.
        case inUse = "in_use"
        /// `--database` names neither a usable file nor a usable PostgreSQL URL.
        case invalidLocation = "invalid_location"
        /// The database server can't be reached, or the connection to it broke.
        case unavailable
        /// The database server refused a statement.
        case rejected
        /// A stored value this orchestrator can't read (an unknown state).
        case corrupt
    }

    public var code: Code
    /// The database concerned: a file path, or a URL without its password.
    public var path: String
    public var message: String
    /// PostgreSQL's SQLSTATE, when the server refused a statement: `40P01` is a deadlock,
    /// `40001` a serialization failure, `23505` a duplicate key.
    public var sqlState: String?

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(path): \(message)" }
}
