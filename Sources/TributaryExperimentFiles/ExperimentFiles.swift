import Foundation
import TributaryCore
import Yams

/// Reads an experiment folder: `experiment.yaml`, the framework file and corpus manifest it
/// names, and the text files the manifest lists. Paths are relative to the file naming them
/// and must stay inside the experiment folder.
public enum ExperimentFiles {
    struct ExperimentFile: Decodable {
        var name: String
        var researchQuestion: String?
        var framework: String
        var corpus: String
        var batchSize: Int
        var maxBatchBytes: Int?
        var groupBy: String?
        var retry: RetryEntry?
        var taskTimeout: String?
        var tolerateFailedBatches: String?
        var maxInFlight: Int?
        var analyser: AnalyserEntry?
        var budget: BudgetEntry?
        var cache: String?

        enum CodingKeys: String, CodingKey {
            case name, framework, corpus, retry, analyser, budget, cache
            case researchQuestion = "research_question"
            case batchSize = "batch_size"
            case maxBatchBytes = "max_batch_bytes"
            case groupBy = "group_by"
            case taskTimeout = "task_timeout"
            case tolerateFailedBatches = "tolerate_failed_batches"
            case maxInFlight = "max_in_flight"
        }
    }

    struct RetryEntry: Decodable {
        var maxAttempts: Int?
        var initialBackoff: String?
        var maxBackoff: String?

        enum CodingKeys: String, CodingKey {
            case maxAttempts = "max_attempts"
            case initialBackoff = "initial_backoff"
            case maxBackoff = "max_backoff"
        }
    }

    struct AnalyserEntry: Decodable {
        var kind: String?
        var model: String?
        var temperature: Double?
        var topP: Double?
        var seed: Int?
        var maxOutputTokens: Int?
        var prompt: String?
        var pilotDocuments: Int?
        var replicates: Int?
        var models: [String]?

        enum CodingKeys: String, CodingKey {
            case kind, model, temperature, seed, prompt, replicates, models
            case topP = "top_p"
            case maxOutputTokens = "max_output_tokens"
            case pilotDocuments = "pilot_documents"
        }
    }

    struct BudgetEntry: Decodable {
        var maxCost: Double?
        var maxTokens: Int?

        enum CodingKeys: String, CodingKey {
            case maxCost = "max_cost"
            case maxTokens = "max_tokens"
        }
    }

    struct FrameworkFile: Decodable {
        struct DimensionEntry: Decodable {
            var name: String
            var description: String?
            var raises: [String]?
            var lowers: [String]?
        }
        struct MetricEntry: Decodable {
            var name: String
            var formula: String
        }
        struct IndexEntry: Decodable {
            var name: String
            var dimensions: [String]
        }

        var name: String
        var version: String
        var dimensions: [DimensionEntry]
        var derivedMetrics: [MetricEntry]?
        var indices: [IndexEntry]?

        enum CodingKeys: String, CodingKey {
            case name, version, dimensions, indices
            case derivedMetrics = "derived_metrics"
        }
    }

    struct ManifestFile: Decodable {
        struct Entry: Decodable {
            var id: String
            var file: String
            var metadata: [String: String]?
        }
        var documents: [Entry]
    }

    /// Loads and checks the folder (or an `experiment.yaml` path) into a spec ready to submit.
    public static func load(_ path: String, limits: ExperimentLimits = ExperimentLimits()) throws(ExperimentFileError) -> ExperimentSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ExperimentFileError(file: path, "no such file or folder")
        }
        let experimentURL = isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent("experiment.yaml") : URL(fileURLWithPath: path)
        let root = experimentURL.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath()
        let experiment: ExperimentFile = try decode(experimentURL, root: root)

        let frameworkURL = try resolve(experiment.framework, relativeTo: experimentURL, root: root, field: "framework")
        let framework: FrameworkFile = try decode(frameworkURL, root: root)
        let manifestURL = try resolve(experiment.corpus, relativeTo: experimentURL, root: root, field: "corpus")
        let manifest: ManifestFile = try decode(manifestURL, root: root)

        let manifestName = relative(manifestURL, root)
        guard manifest.documents.count <= limits.maxDocuments else {
            throw ExperimentFileError(file: manifestName, field: "documents", "\(manifest.documents.count) documents; the limit is \(limits.maxDocuments)")
        }
        var documents: [Document] = []
        var totalBytes = 0
        for (index, entry) in manifest.documents.enumerated() {
            let field = "documents[\(index)].file"
            let url = try resolve(entry.file, relativeTo: manifestURL, root: root, field: field, file: manifestName)
            let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? -1
            guard size >= 0 else { throw ExperimentFileError(file: manifestName, field: field, "cannot read '\(entry.file)'") }
            guard size <= limits.maxDocumentBytes else {
                throw ExperimentFileError(file: relative(url, root), "\(size) bytes; the limit per document is \(limits.maxDocumentBytes)")
            }
            totalBytes += size
            guard totalBytes <= limits.maxTotalBytes else {
                throw ExperimentFileError(file: manifestName, field: field, "corpus exceeds \(limits.maxTotalBytes) bytes in total")
            }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ExperimentFileError(file: manifestName, field: field, "cannot read '\(entry.file)'")
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                throw ExperimentFileError(file: relative(url, root), "not valid UTF-8 text")
            }
            documents.append(Document(id: entry.id, text: text, metadata: entry.metadata ?? [:]))
        }

        let experimentName = relative(experimentURL, root)
        var spec = ExperimentSpec(
            name: experiment.name, researchQuestion: experiment.researchQuestion ?? "",
            framework: Framework(
                name: framework.name, version: framework.version,
                dimensions: framework.dimensions.map {
                    Dimension(name: $0.name, description: $0.description ?? "", raises: $0.raises ?? [], lowers: $0.lowers ?? [])
                },
                derivedMetrics: (framework.derivedMetrics ?? []).map { DerivedMetric(name: $0.name, formula: $0.formula) },
                indices: (framework.indices ?? []).map { FrameworkIndex(name: $0.name, dimensions: $0.dimensions) }),
            documents: documents, batchSize: experiment.batchSize,
            maxBatchBytes: experiment.maxBatchBytes ?? ExperimentSpec.defaultMaxBatchBytes, groupBy: experiment.groupBy)
        try applyAnalyser(experiment, to: &spec, experimentURL: experimentURL, root: root)
        try applyPolicy(experiment, to: &spec, file: experimentName)
        return spec
    }

    /// The analyser and budget sections; the prompt template is read from the file named.
    private static func applyAnalyser(_ experiment: ExperimentFile, to spec: inout ExperimentSpec, experimentURL: URL, root: URL) throws(ExperimentFileError) {
        let file = relative(experimentURL, root)
        if let entry = experiment.analyser {
            var settings = AnalyserSettings()
            if let text = entry.kind {
                guard let kind = AnalyserSettings.Kind(rawValue: text) else {
                    let kinds = AnalyserSettings.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ExperimentFileError(file: file, field: "analyser.kind", "'\(text)' is not an analyser kind: \(kinds)")
                }
                settings.kind = kind
            }
            settings.model = entry.model
            if let temperature = entry.temperature { settings.temperature = temperature }
            settings.topP = entry.topP
            settings.seed = entry.seed
            if let tokens = entry.maxOutputTokens { settings.maxOutputTokens = tokens }
            if let pilot = entry.pilotDocuments { settings.pilotDocuments = pilot }
            settings.replicates = entry.replicates
            settings.models = entry.models
            if let prompt = entry.prompt {
                let url = try resolve(prompt, relativeTo: experimentURL, root: root, field: "analyser.prompt")
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw ExperimentFileError(file: file, field: "analyser.prompt", "cannot read '\(prompt)'")
                }
                guard let text = String(validating: data, as: UTF8.self) else { throw ExperimentFileError(file: relative(url, root), "not valid UTF-8 text") }
                settings.prompt = text
            }
            spec.analyser = settings
        }
        if let budget = experiment.budget {
            spec.budget = Budget(maxCost: budget.maxCost, maxTokens: budget.maxTokens)
        }
        if let text = experiment.cache {
            guard let mode = CacheMode(rawValue: text) else {
                let modes = CacheMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw ExperimentFileError(file: file, field: "cache", "'\(text)' is not a cache mode: \(modes)")
            }
            spec.cache = mode
        }
    }

    /// The resilience settings: each value parsed and checked, an error naming its field.
    private static func applyPolicy(_ experiment: ExperimentFile, to spec: inout ExperimentSpec, file: String) throws(ExperimentFileError) {
        func duration(_ text: String?, _ field: String) throws(ExperimentFileError) -> TaskDuration? {
            guard let text else { return nil }
            guard let value = TaskDuration(parsing: text) else {
                throw ExperimentFileError(file: file, field: field, "'\(text)' is not a duration: a whole number and ms, s, m or h (500ms, 2s, 15m, 1h)")
            }
            return value
        }
        if let retry = experiment.retry {
            if let attempts = retry.maxAttempts { spec.retry.maxAttempts = attempts }
            if let backoff = try duration(retry.initialBackoff, "retry.initial_backoff") { spec.retry.initialBackoff = backoff }
            if let backoff = try duration(retry.maxBackoff, "retry.max_backoff") { spec.retry.maxBackoff = backoff }
        }
        if let timeout = try duration(experiment.taskTimeout, "task_timeout") { spec.taskTimeout = timeout }
        if let text = experiment.tolerateFailedBatches {
            guard let tolerance = FailureTolerance(parsing: text) else {
                throw ExperimentFileError(file: file, field: "tolerate_failed_batches", "'\(text)' is neither a count of batches (3) nor a share of them (5%)")
            }
            spec.tolerateFailedBatches = tolerance
        }
        if let maxInFlight = experiment.maxInFlight { spec.maxInFlight = maxInFlight }
        if let problem = spec.policyProblems.first {
            throw ExperimentFileError(file: file, field: problem.field, problem.message)
        }
    }

    private static func relative(_ url: URL, _ root: URL) -> String {
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }

    /// `reference` relative to the file that names it; refuses anything outside the experiment folder.
    private static func resolve(_ reference: String, relativeTo file: URL, root: URL, field: String, file name: String? = nil) throws(ExperimentFileError)
        -> URL
    {
        let fileName = name ?? relative(file, root)
        guard !reference.isEmpty, !reference.hasPrefix("/") else {
            throw ExperimentFileError(file: fileName, field: field, "'\(reference)' must be a path relative to the experiment folder")
        }
        let url = file.deletingLastPathComponent().appendingPathComponent(reference).standardizedFileURL.resolvingSymlinksInPath()
        guard url.path.hasPrefix(root.path + "/") else {
            throw ExperimentFileError(file: fileName, field: field, "'\(reference)' points outside the experiment folder")
        }
        return url
    }

    private static func decode<T: Decodable>(_ url: URL, root: URL) throws(ExperimentFileError) -> T {
        let name = relative(url, root)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ExperimentFileError(file: name, "cannot read the file") }
        guard let text = String(validating: data, as: UTF8.self) else { throw ExperimentFileError(file: name, "not valid UTF-8") }
        do {
            return try YAMLDecoder().decode(T.self, from: text)
        } catch let error as DecodingError {
            throw ExperimentFileError(file: name, field: path(of: error), message(of: error))
        } catch {
            throw ExperimentFileError(file: name, "not valid YAML: \(error)")
        }
    }

    private static func path(of error: DecodingError) -> String? {
        let context: DecodingError.Context? =
            switch error {
            case .keyNotFound(let key, let context): DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: context.debugDescription)
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context
            @unknown default: nil
            }
        guard let keys = context?.codingPath, !keys.isEmpty else { return nil }
        return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func message(of error: DecodingError) -> String {
        switch error {
        case .keyNotFound: "required field is missing"
        case .typeMismatch(let type, _): "expected \(type == String.self ? "text" : type == Int.self ? "a whole number" : "\(type)")"
        case .valueNotFound: "value is missing"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "\(error)"
        }
    }
}
