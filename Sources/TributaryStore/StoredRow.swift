/// A result row read by column name, whichever database it came from. A column the query
/// did not select is an error, not a crash or a value from the wrong column.
package protocol StoredRow {
    func text(_ column: String) throws -> String
    func integer(_ column: String) throws -> Int64
    func real(_ column: String) throws -> Double
    func bytes(_ column: String) throws -> [UInt8]
    func isNull(_ column: String) throws -> Bool
}

extension StoredRow {
    package func optionalText(_ column: String) throws -> String? { try isNull(column) ? nil : try text(column) }
    package func optionalBytes(_ column: String) throws -> [UInt8]? { try isNull(column) ? nil : try bytes(column) }
}
