import Foundation

/// Streams one blob into a ``ContentStore``: appends go to a temporary file while they are
/// hashed, and ``commit()`` syncs it and renames it to its address. Nothing is held in
/// memory beyond the piece being appended.
public final class ContentWriter {
    private let store: ContentStore
    private let temporaryPath: String
    private let handle: FileHandle
    private var hasher = SHA256()
    /// Appends are gathered into writes of about a megabyte.
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20
    private var committed = false
    private let durable: Bool

    /// - Parameter durable: sync the blob to disk before it is named. A writer of many small
    ///   blobs passes false and calls ``ContentStore/sync()`` once at the end instead.
    public init(store: ContentStore, durable: Bool = true) throws(ContentStoreError) {
        self.durable = durable
        try store.prepare()
        self.store = store
        temporaryPath = "\(store.root)/tmp/\(UUID().uuidString.lowercased())"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil), let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw ContentStoreError(.io, "cannot create a file in '\(store.root)/tmp'")
        }
        self.handle = handle
    }

    public func append(_ bytes: some Collection<UInt8>) throws(ContentStoreError) {
        hasher.update(bytes)
        buffer += bytes
        if buffer.count >= Self.bufferSize { try flushBuffer() }
    }

    private func flushBuffer() throws(ContentStoreError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ContentStoreError(.io, "cannot write '\(temporaryPath)': \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Makes the blob durable under its address and returns the address.
    public func commit() throws(ContentStoreError) -> ContentAddress {
        precondition(!committed, "a ContentWriter commits once")
        let address = ContentAddress(unchecked: hasher.hexDigest())
        let destination = store.path(of: address)
        try flushBuffer()
        do {
            if durable { try handle.synchronize() }
            try handle.close()
            committed = true
            if FileManager.default.fileExists(atPath: destination) {
                try? FileManager.default.removeItem(atPath: temporaryPath)
                return address
            }
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard rename(temporaryPath, destination) == 0 else {
                throw ContentStoreError(.io, "cannot rename into '\(destination)': \(String(cString: strerror(errno)))")
            }
        } catch let error as ContentStoreError {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw ContentStoreError(.io, "cannot store a blob in '\(store.root)': \(error.localizedDescription)")
        }
        return address
    }

    deinit {
        if !committed {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }
}
