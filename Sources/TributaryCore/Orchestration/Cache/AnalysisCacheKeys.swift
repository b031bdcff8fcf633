import TributaryContentStore

/// Names each document's analysis in the result cache: the SHA-256 of everything that can
/// change that result, and nothing else.
///
/// The canonical encoding is a version line, then the analyser's identity, the framework, the
/// text's digest, the document fields the analyser reads and the replicate index, one per
/// line. The JSON parts are encoded with sorted keys and escape every newline, so no part
/// can run into the next and two different inputs never share an encoding.
package struct AnalysisCacheKeys: Sendable {
    /// What the cache's `analyser` column holds, for `tributary cache purge --analyser`:
    /// `builtin`, `llm:<model>`, `external:<version>`.
    package let label: String
    private let prefix: [UInt8]
    private let readsDocumentID: Bool
    private let readsMetadata: Bool

    /// Bumped whenever the phrase matcher can score a document differently: its cached
    /// results then stop matching.
    package static let builtinAlgorithmVersion = "phrase-matcher/1"
    /// Bumped whenever the default prompt, its system message or the answer schema changes:
    /// a test in the analysis module holds their digest and fails until this moves with it.
    package static let languageModelPromptVersion = "scoring-prompt/1"
    private static let encodingVersion = "tributary-analysis-cache/1"

    /// The keys of `spec`'s documents, or why they can't be cached. An external analyser
    /// is cached only under a version the deployment declared for it.
    package static func make(for spec: ExperimentSpec, externalVersion: String?) throws -> AnalysisCacheKeys {
        let analyser = spec.analyser ?? AnalyserSettings()
        var identity: [String: JSONValue] = ["kind": .string(analyser.kind.rawValue)]
        let label: String
        switch analyser.kind {
        case .builtin:
            identity["algorithm"] = .string(builtinAlgorithmVersion)
            label = "builtin"
        case .llm:
            let model = analyser.model ?? ""
            identity["model"] = .string(model)
            identity["temperature"] = .number(analyser.temperature)
            // Replicate r is sent with seed + r; the replicate index is in each key.
            identity["seed"] = analyser.seed.map { JSONValue.number(Double($0)) } ?? .null
            identity["top_p"] = analyser.topP.map(JSONValue.number) ?? .null
            identity["max_output_tokens"] = .number(Double(analyser.maxOutputTokens))
            identity["prompt_format"] = .string(languageModelPromptVersion)
            identity["prompt"] = analyser.prompt.map(JSONValue.string) ?? .null
            // Both the default prompt and `{{research_question}}` put it in front of the model.
            identity["research_question"] = .string(spec.researchQuestion)
            label = "llm:" + model
        case .external:
            guard let externalVersion, !externalVersion.isEmpty else {
                throw ContractError(
                    .invalidExperiment, "an external analyser's results are cached only under a version: start the orchestrator with --analyser-version")
            }
            identity["version"] = .string(externalVersion)
            label = "external:" + externalVersion
        }
        var prefix = Array(encodingVersion.utf8) + [0x0A]
        prefix += try MessageCoding.encode(JSONValue.object(identity)) + [0x0A]
        prefix += try MessageCoding.encode(spec.framework) + [0x0A]
        return AnalysisCacheKeys(
            label: label, prefix: prefix, readsDocumentID: analyser.kind != .builtin, readsMetadata: analyser.kind == .external)
    }

    private init(label: String, prefix: [UInt8], readsDocumentID: Bool, readsMetadata: Bool) {
        self.label = label
        self.prefix = prefix
        self.readsDocumentID = readsDocumentID
        self.readsMetadata = readsMetadata
    }

    /// The key of one analysis of `document`: 64 hex digits.
    package func key(for document: Document, replicate: Int = 0) throws -> String {
        var hash = SHA256()
        hash.update(prefix)
        // A referenced text's address is already its SHA-256, so a text carried inline and
        // the same text in the content store share their results.
        if let reference = document.textRef, document.text.isEmpty, reference.hasPrefix(ContentAddress.scheme) {
            hash.update(Array(reference.dropFirst(ContentAddress.scheme.count).utf8))
        } else {
            hash.update(Array(SHA256.hex(of: Array(document.text.utf8)).utf8))
        }
        hash.update([0x0A])
        var fields: [String: JSONValue] = ["replicate": .number(Double(replicate))]
        if readsDocumentID { fields["id"] = .string(document.id) }
        if readsMetadata { fields["metadata"] = .object(document.metadata.mapValues(JSONValue.string)) }
        hash.update(try MessageCoding.encode(JSONValue.object(fields)))
        return hash.hexDigest()
    }
}
