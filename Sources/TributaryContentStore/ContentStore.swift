import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Blobs named by their SHA-256, in a directory every service that needs them mounts (a
/// shared volume across hosts): `<root>/sha256/<first two hex digits>/<digest>`.
///
/// Corpora larger than a message go through it: the client stores each document text once
/// and the tasks carry addresses; the orchestrator stores a large synthesis input the same
/// way. Blobs are immutable and written by rename, so concurrent writers of the same content
/// and readers never see a partial file.
public struct ContentStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// Where the blob of `address` lives.
    public func path(of address: ContentAddress) -> String {
        "\(root)/sha256/\(address.digest.prefix(2))/\(address.digest)"
    }

    /// Stores `bytes` (if not already there) and returns their address.
    @discardableResult
    public func put(_ bytes: some Collection<UInt8>, durable: Bool = true) throws(ContentStoreError) -> ContentAddress {
        let writer = try ContentWriter(store: self, durable: durable)
        try writer.append(bytes)
        return try writer.commit()
    }

    /// The blob's bytes, checked against its address.
    public func get(_ address: ContentAddress) throws(ContentStoreError) -> [UInt8] {
        let path = path(of: address)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ContentStoreError(
                .notFound, "\(address) is not in the store at '\(root)' (is the same volume mounted here as where it was written?)")
        }
        let bytes = [UInt8](data)
        guard SHA256.hex(of: bytes) == address.digest else {
            throw ContentStoreError(.corrupt, "'\(path)' does not hash to \(address): the file was changed or truncated")
        }
        return bytes
    }

    /// Flushes what was written to disk (`sync(2)`): one call after many
    /// ``put(_:durable:)`` with `durable: false`, instead of one fsync per blob.
    public func sync() {
        #if canImport(Glibc)
            Glibc.sync()
        #endif
    }

    /// Creates the store's directories if missing; fails with a clear error if it can't.
    public func prepare() throws(ContentStoreError) {
        do {
            try FileManager.default.createDirectory(atPath: "\(root)/tmp", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(root)/sha256", withIntermediateDirectories: true)
        } catch {
            throw ContentStoreError(.io, "cannot create the content store at '\(root)': \(error.localizedDescription)")
        }
    }
}
