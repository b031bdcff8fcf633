import Foundation
import TributaryContentStore

/// The SHA-256 of every input of an experiment, written by `tributary submit` as
/// `experiment.lock.json`: with `--locked` it refuses to run anything that differs, which fixes
/// the analysis plan before the results are seen.
public struct RunLock: Sendable, Hashable, Codable {
    public struct DocumentDigest: Sendable, Hashable, Codable {
        public var id: String
        /// Of the text and the metadata together.
        public var sha256: String
    }

    public struct AnalyserDigest: Sendable, Hashable, Codable {
        public var kind: AnalyserSettings.Kind
        /// The model, for `llm`.
        public var model: String?
        /// Of the settings that change results (sampling, the output limit, the default
        /// prompt's or the phrase matcher's version); the prompt template has its own line.
        public var sha256: String
    }

    public var lockVersion: Int
    public var tributaryVersion: String
    public var experiment: String
    /// Of the experiment's other settings: batching, retries, grouping, budget, cache mode.
    public var settings: String
    public var framework: String
    /// Of the prompt template's text; nil for the default prompt.
    public var prompt: String?
    public var analyser: AnalyserDigest
    /// Of the model table's entry for the experiment's model (with several, of their entries
    /// in order), as the submitting side read it; nil when the table has none.
    public var modelTableEntry: String?
    public var documents: [DocumentDigest]

    public static let currentVersion = 1
    public static let fileName = "experiment.lock.json"

    /// Keys sorted and indented, so a lock diffs well under version control.
    public static func fileBytes(_ lock: RunLock) throws -> [UInt8] { try MessageCoding.encodePretty(lock) }

    public init(spec: ExperimentSpec, modelTable: ModelTable) throws {
        func digest(_ value: some Encodable) throws -> String { SHA256.hex(of: try MessageCoding.encode(value)) }
        lockVersion = Self.currentVersion
        tributaryVersion = TributaryVersion.current
        experiment = spec.name
        var settings = spec
        settings.documents = []
        settings.corpusRef = nil
        settings.analyser = nil
        settings.framework = Framework(name: "", version: "", dimensions: [])
        self.settings = try digest(settings)
        framework = try digest(spec.framework)
        let analyser = spec.analyser ?? AnalyserSettings()
        prompt = analyser.prompt.map { SHA256.hex(of: Array($0.utf8)) }
        var identity = analyser
        identity.prompt = nil
        identity.pilotDocumentIDs = nil
        let version = analyser.kind == .builtin ? AnalysisCacheKeys.builtinAlgorithmVersion : AnalysisCacheKeys.languageModelPromptVersion
        self.analyser = AnalyserDigest(
            kind: analyser.kind, model: analyser.kind == .llm ? analyser.modelNames.joined(separator: ", ") : nil,
            sha256: try digest(
                JSONValue.object(["settings": try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(identity)), "version": .string(version)])))
        let entries = analyser.modelNames.compactMap { modelTable[$0] }
        modelTableEntry = try entries.isEmpty ? nil : analyser.models == nil ? digest(entries[0]) : digest(entries)
        documents = try spec.documents.map { document in
            DocumentDigest(
                id: document.id,
                sha256: try digest(
                    JSONValue.object([
                        "text": .string(document.textRef ?? "sha256:" + SHA256.hex(of: Array(document.text.utf8))),
                        "metadata": .object(document.metadata.mapValues(JSONValue.string)),
                    ])))
        }
    }

    /// What differs between this lock and `other` (the inputs now), one line each; empty
    /// when nothing does. Documents are named.
    public func differences(from other: RunLock) -> [String] {
        var found: [String] = []
        func compare(_ name: String, _ a: String?, _ b: String?) { if a != b { found.append(name) } }
        compare("the experiment's name", experiment, other.experiment)
        compare("the experiment's settings", settings, other.settings)
        compare("the framework", framework, other.framework)
        compare("the prompt template", prompt, other.prompt)
        if analyser != other.analyser {
            found.append("the analyser (\(analyser.kind.rawValue) \(analyser.model ?? "") → \(other.analyser.kind.rawValue) \(other.analyser.model ?? ""))")
        }
        compare("the model table's entry for the model", modelTableEntry, other.modelTableEntry)
        compare("the Tributary version (\(tributaryVersion) → \(other.tributaryVersion))", tributaryVersion, other.tributaryVersion)
        let locked = Dictionary(documents.map { ($0.id, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        let now = Dictionary(other.documents.map { ($0.id, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        for document in documents where now[document.id] == nil { found.append("document \(document.id) is gone") }
        for document in other.documents {
            guard let digest = locked[document.id] else {
                found.append("document \(document.id) is new")
                continue
            }
            if digest != document.sha256 { found.append("document \(document.id) differs (its text or metadata)") }
        }
        if found.isEmpty, documents.map(\.id) != other.documents.map(\.id) { found.append("the documents' order") }
        return found
    }
}
