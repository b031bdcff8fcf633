import ArgumentParser
import Foundation
import TributaryContentStore

/// Where the content store lives: document texts and corpus manifests of large corpora, and
/// large synthesis inputs and outputs. Every service that handles such an experiment mounts
/// the same directory (a shared volume across hosts).
public struct DocumentStoreOptions: ParsableArguments {
    @Option(help: "Content store directory shared with the other services (large corpora). Default: $TRIBUTARY_DOCUMENT_STORE, else none.")
    public var documentStore: String?

    public init() {}

    /// The directory in force: the option, else `TRIBUTARY_DOCUMENT_STORE`, else none.
    public var resolvedPath: String? {
        documentStore ?? ProcessInfo.processInfo.environment["TRIBUTARY_DOCUMENT_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The store, created if its directory is missing; nil when none is configured.
    public func store() throws -> ContentStore? {
        guard let path = resolvedPath else { return nil }
        let store = ContentStore(root: path)
        do {
            try store.prepare()
        } catch {
            throw ValidationError("--document-store: \(error.message)")
        }
        return store
    }
}
