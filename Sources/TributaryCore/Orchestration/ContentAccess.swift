/// The orchestrator's view of the content store: corpus manifests to read, large synthesis
/// inputs to write. Addresses are `sha256:<hex>` strings. The service layer supplies it; the
/// pure orchestrator does no I/O of its own.
package protocol ContentAccess: Sendable {
    func read(_ address: String) throws -> [UInt8]
    /// Stores the bytes `produce` hands to its `append` callback, in order, as one blob;
    /// returns its address. The pieces are never joined in memory.
    func write(_ produce: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws -> String
}
