import Foundation
import TributaryCore

/// Validates the experiment, dry-runs the analyser on a small sample, and plans the batches.
/// A failed validation fails the experiment with every error listed, before anything is fanned out.
///
/// For a language-model experiment the dry run is the pilot: the model is called on the first
/// `pilot_documents` documents, which proves the endpoint, the key, the model name and the
/// schema before anything fans out, and measures what a call really costs.
public struct PreTestHandler: TaskHandler {
    public let taskType = TaskType.preTest
    /// Reads a corpus that travels as a manifest in the content store.
    public let content: ContentResolver
    /// The endpoint the pilot calls; nil in an agent configured without one.
    public let languageModel: LanguageModelAnalyser?

    public init(content: ContentResolver = ContentResolver(store: nil), languageModel: LanguageModelAnalyser? = nil) {
        self.content = content
        self.languageModel = languageModel
    }

    public func handle(_ task: TaskMessage) async throws -> PreTestResult {
        guard case .preTest(var spec) = task.payload else { throw TaskFailure(code: "wrong_payload", message: "expected a pre_test payload", permanent: true) }
        let pilotSize = spec.analyserKind == .llm ? spec.analyser?.pilotDocuments ?? 0 : 0
        if spec.corpusRef != nil {
            spec.documents = try content.documents(of: spec)
            // The dry run and the pilot read texts; only their sample's are loaded.
            let sample = try content.texts(of: Array(spec.documents.prefix(max(Self.dryRunSize, pilotSize))))
            spec.documents.replaceSubrange(0..<sample.count, with: sample)
            if let chosen = spec.analyser?.pilotDocumentIDs.map(Set.init) {
                for index in spec.documents.indices where chosen.contains(spec.documents[index].id) && spec.documents[index].textRef != nil {
                    spec.documents[index] = try content.texts(of: [spec.documents[index]])[0]
                }
            }
        }
        var report = ExperimentValidator.validate(spec)
        guard report.errors.isEmpty else {
            throw TaskFailure(code: "invalid_experiment", message: report.errors.joined(separator: "; "), permanent: true)
        }
        let batches = BatchPlanner.plan(spec.documents, batchSize: spec.batchSize, maxBatchBytes: spec.maxBatchBytes)
        guard spec.analyserKind == .llm, let settings = spec.analyser else {
            report.warnings += try Self.dryRun(spec)
            return PreTestResult(batches: batches, warnings: report.warnings)
        }
        // Marker phrases are only examples to a model; a corpus that matches none is no sign of trouble.
        let (pilot, analyses, warnings) = try await self.pilot(spec, settings: settings, documents: pilotSize)
        var result = PreTestResult(
            batches: batches, warnings: report.warnings + warnings, pilot: pilot, corpusBytes: spec.documents.reduce(0) { $0 + $1.size })
        result.pilotAnalyses = analyses.isEmpty ? nil : analyses
        return result
    }

    static let dryRunSize = 3

    /// Calls the model on the first documents. An endpoint that refuses (wrong key, unknown
    /// model, a schema form it does not take) fails the pre-test with its own error; an answer
    /// invalid even after its repair is only a warning, as it would fail one batch.
    func pilot(_ spec: ExperimentSpec, settings: AnalyserSettings, documents count: Int) async throws(TaskFailure) -> (
        CostEstimate.Pilot?, [DocumentAnalysis], [String]
    ) {
        guard count > 0 else { return (nil, [], []) }
        guard let languageModel else {
            throw TaskFailure(
                code: "analyser_unavailable",
                message: "this pre-test agent has no language-model endpoint (--llm-base-url or TRIBUTARY_LLM_BASE_URL), so the pilot cannot run")
        }
        // The orchestrator names the pilot's documents when the cache holds some of the
        // corpus: the first it does not hold, or none.
        var sample = Array(spec.documents.prefix(count))
        if let ids = settings.pilotDocumentIDs.map(Set.init) { sample = Array(spec.documents.filter { ids.contains($0.id) }.prefix(count)) }
        guard !sample.isEmpty else { return (nil, [], []) }
        let scoring: DocumentAnalyser
        do {
            scoring = try DocumentAnalyser(framework: spec.framework)
        } catch {
            throw TaskFailure(code: "invalid_experiment", message: "framework: \(error)", permanent: true)
        }
        var analyses: [DocumentAnalysis] = []
        var usage = ModelUsage(model: settings.model ?? "")
        var warnings: [String] = []
        let clock = ContinuousClock()
        let started = clock.now
        for document in sample {
            do {
                let outcome = try await languageModel.analyse(document, framework: spec.framework, researchQuestion: spec.researchQuestion, settings: settings)
                usage += ModelUsage(
                    model: usage.model, requests: outcome.provenance.calls, inputTokens: outcome.provenance.inputTokens,
                    outputTokens: outcome.provenance.outputTokens, repairs: outcome.repaired ? 1 : 0, unverifiedEvidence: outcome.unverifiedEvidence)
                analyses.append(
                    try outcome.analysis(of: document, scoring: scoring, inlineResponseLimit: languageModel.inlineResponseLimit, store: content.store))
            } catch  where error.code == LanguageModelAnalyser.invalidOutputCode {
                if let spent = error.usage { usage += spent }
                warnings.append("pilot: \(error.message)")
            } catch {
                var failure = error
                failure.message = "pilot on document \(document.id): \(error.message)"
                throw failure
            }
        }
        let seconds = Double((clock.now - started) / .milliseconds(1)) / 1_000
        return (
            CostEstimate.Pilot(documents: sample.count, bytes: sample.reduce(0) { $0 + $1.size }, usage: usage, seconds: seconds), analyses, warnings
        )
    }

    /// Analyses the first few documents: proves the framework runs, and warns when nothing
    /// matches at all (often a framework written for another language or corpus).
    static func dryRun(_ spec: ExperimentSpec) throws(TaskFailure) -> [String] {
        let analyser: DocumentAnalyser
        do {
            analyser = try DocumentAnalyser(framework: spec.framework)
        } catch {
            throw TaskFailure(code: "invalid_experiment", message: "framework: \(error)", permanent: true)
        }
        let sample = spec.documents.prefix(dryRunSize).map(analyser.analyse)
        let hits = sample.reduce(0) { total, document in total + document.scores.values.reduce(0) { $0 + ($1.raisesHits ?? 0) + ($1.lowersHits ?? 0) } }
        guard hits == 0, !sample.isEmpty else { return [] }
        return ["dry run: no marker phrase matched in the first \(sample.count) document(s); check the framework's phrases against the corpus"]
    }
}
