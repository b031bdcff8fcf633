internal import CSQLite
import TributaryStore

/// A prepared statement, reused across executions (the database caches them by SQL).
final class SQLiteStatement {
    let handle: OpaquePointer
    private unowned let database: SQLiteDatabase
    /// Column positions by name, read from the statement once: the SQL never changes.
    private var columns: [String: Int32]?

    init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ values: [StoredValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(handle, index)
            case .integer(let v): status = sqlite3_bind_int64(handle, index, v)
            case .real(let v): status = sqlite3_bind_double(handle, index, v)
            case .text(let v):
                var text = v
                status = text.withUTF8 {
                    tributary_bind_text(handle, index, UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), Int32($0.count))
                }
            case .blob(let v):
                status = v.withUnsafeBytes { tributary_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count)) }
            }
            guard status == SQLITE_OK else { throw database.error(status, "bind parameter \(index)") }
        }
    }

    /// Advances; true while a row is available.
    func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(status, "step \(String(cString: sqlite3_sql(handle)))")
        }
    }

    func run(_ values: [StoredValue] = []) throws(SQLiteError) {
        try bind(values)
        while try step() {}
        reset()
    }

    /// Releases the statement's read snapshot; a statement left mid-result would hold the WAL open.
    func reset() { sqlite3_reset(handle) }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

extension SQLiteStatement: StoredRow {
    private func column(_ name: String) throws -> Int32 {
        if columns == nil {
            let count = sqlite3_column_count(handle)
            columns = Dictionary((0..<count).compactMap { i in sqlite3_column_name(handle, i).map { (String(cString: $0), i) } }) { first, _ in first }
        }
        guard let index = columns?[name] else {
            throw ExperimentStoreError(.corrupt, path: database.path, "no column '\(name)' in \(String(cString: sqlite3_sql(handle)))")
        }
        return index
    }

    package func text(_ column: String) throws -> String { text(try self.column(column)) }
    package func integer(_ column: String) throws -> Int64 { int(try self.column(column)) }
    package func real(_ column: String) throws -> Double { double(try self.column(column)) }
    package func bytes(_ column: String) throws -> [UInt8] { blob(try self.column(column)) }
    package func isNull(_ column: String) throws -> Bool { isNull(try self.column(column)) }
}
