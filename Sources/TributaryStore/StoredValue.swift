/// A column value as the stores write it: bound to a SQLite parameter or a PostgreSQL one.
package enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}
