import TributaryContentStore
import TributaryCore

/// Reads what a task references in the content store: a corpus manifest, document texts, a
/// synthesis input. An agent without a store, given a task that needs one, fails the task
/// for good with a message that says which setting is missing.
public struct ContentResolver: Sendable {
    public let store: ContentStore?

    public init(store: ContentStore?) { self.store = store }

    func read(_ reference: String, for purpose: String) throws(TaskFailure) -> [UInt8] {
        guard let store else {
            throw TaskFailure(
                code: "no_document_store", message: "\(purpose) is in a content store (\(reference)); start this agent with --document-store",
                permanent: true)
        }
        do {
            return try store.get(ContentAddress(parsing: reference))
        } catch {
            // A blob not there yet may be on a volume still syncing; anything else will not heal.
            throw TaskFailure(code: "content_\(error.code)", message: "\(purpose): \(error.message)", permanent: error.code != .notFound)
        }
    }

    /// The experiment's documents, from its manifest when it has one (texts still referenced).
    public func documents(of spec: ExperimentSpec) throws(TaskFailure) -> [Document] {
        guard let reference = spec.corpusRef else { return spec.documents }
        return try decode([Document].self, at: reference, for: "the corpus manifest", invalidCode: "invalid_manifest")
    }

    /// The documents with every referenced text loaded.
    public func texts(of documents: [Document]) throws(TaskFailure) -> [Document] {
        var loaded = documents
        for index in loaded.indices {
            guard let reference = loaded[index].textRef, loaded[index].text.isEmpty else { continue }
            let bytes = try read(reference, for: "the text of document '\(loaded[index].id)'")
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw TaskFailure(code: "invalid_text", message: "the text of document '\(loaded[index].id)' is not UTF-8", permanent: true)
            }
            loaded[index].text = text
        }
        return loaded
    }

    /// The synthesis input's batch results, carried or stored.
    public func batchResults(of payload: SynthesisPayload) throws(TaskFailure) -> [BatchAnalysis] {
        guard let reference = payload.batchResultsRef else { return payload.batchResults }
        return try decode([BatchAnalysis].self, at: reference, for: "the synthesis input", invalidCode: "invalid_synthesis_input")
    }

    /// A stored JSON value; one that does not decode fails the task for good.
    private func decode<Value: Decodable>(_ type: Value.Type, at reference: String, for purpose: String, invalidCode: String) throws(TaskFailure)
        -> Value
    {
        let bytes = try read(reference, for: purpose)
        do {
            return try MessageCoding.decode(type, from: bytes)
        } catch {
            throw TaskFailure(code: invalidCode, message: "\(purpose) \(reference): \(error)", permanent: true)
        }
    }

    /// Stores `bytes` and returns the address, for outputs too large for a message.
    public func store(_ bytes: [UInt8], for purpose: String) throws(TaskFailure) -> String? {
        guard let store else { return nil }
        do {
            return try store.put(bytes).description
        } catch {
            throw TaskFailure(code: "content_\(error.code)", message: "\(purpose): \(error.message)")
        }
    }
}
