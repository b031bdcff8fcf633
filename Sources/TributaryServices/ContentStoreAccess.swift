import TributaryContentStore
import TributaryCore

/// The orchestrator's content access over a ``ContentStore`` directory.
struct ContentStoreAccess: ContentAccess {
    let store: ContentStore

    func read(_ address: String) throws -> [UInt8] { try store.get(ContentAddress(parsing: address)) }

    func write(_ produce: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws -> String {
        let writer = try ContentWriter(store: store)
        try produce { try writer.append($0) }
        return try writer.commit().description
    }
}
