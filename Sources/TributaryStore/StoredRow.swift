/// A result row read by column position, whichever database it came from.
package protocol StoredRow {
    func text(_ column: Int) throws -> String
    func integer(_ column: Int) throws -> Int64
    func real(_ column: Int) throws -> Double
    func bytes(_ column: Int) throws -> [UInt8]
    func isNull(_ column: Int) throws -> Bool
}
