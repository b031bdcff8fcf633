import TributaryContentStore
import TributaryCore

/// Analyses one batch with a language model, a document at a time, into the
/// ``BatchAnalysis`` the synthesis already reads, with the batch's ``ModelUsage`` for the
/// orchestrator's ledger and each document's ``ModelProvenance``.
public struct LanguageModelBatchHandler: Sendable {
    public let analyser: LanguageModelAnalyser
    public let content: ContentResolver
    private let analysers = AnalyserCache()

    public init(analyser: LanguageModelAnalyser, content: ContentResolver) {
        self.analyser = analyser
        self.content = content
    }

    public func analyse(_ batch: BatchPayload, batchIndex: Int, settings: AnalyserSettings, researchQuestion: String) async throws(TaskFailure) -> BatchAnalysis
    {
        let scoring: DocumentAnalyser
        do {
            scoring = try analysers.analyser(for: batch.framework)
        } catch {
            throw TaskFailure(code: "invalid_framework", message: "\(error)", permanent: true)
        }
        var usage = ModelUsage(model: settings.model ?? "")
        var documents: [DocumentAnalysis] = []
        for document in try content.texts(of: batch.documents) {
            let outcome: LanguageModelAnalyser.LanguageModelDocument
            do {
                outcome = try await analyser.analyse(document, framework: batch.framework, researchQuestion: researchQuestion, settings: settings)
            } catch {
                // What the batch spent before this document failed is still spent.
                var failure = error
                var spent = usage
                if let more = error.usage { spent += more }
                failure.usage = spent.requests > 0 ? spent : nil
                throw failure
            }
            usage += ModelUsage(
                model: usage.model, requests: outcome.provenance.calls, inputTokens: outcome.provenance.inputTokens,
                outputTokens: outcome.provenance.outputTokens, repairs: outcome.repaired ? 1 : 0, unverifiedEvidence: outcome.unverifiedEvidence)
            documents.append(try outcome.analysis(of: document, scoring: scoring, inlineResponseLimit: analyser.inlineResponseLimit, store: content.store))
        }
        return BatchAnalysis(batchIndex: batchIndex, documents: documents, usage: usage)
    }
}

extension LanguageModelAnalyser.LanguageModelDocument {
    /// The document's analysis as a batch result carries it, and as the pilot's is cached.
    func analysis(of document: Document, scoring: DocumentAnalyser, inlineResponseLimit: Int, store: ContentStore?) throws(TaskFailure)
        -> DocumentAnalysis
    {
        var scores: [String: DimensionScore] = [:]
        for (name, scored) in answer.dimensions {
            scores[name] = DimensionScore(
                rawScore: scored.score, salience: nil, confidence: scored.confidence, raisesHits: nil, lowersHits: nil, evidence: evidence[name] ?? [])
        }
        var analysis = scoring.analysis(of: document, scores: scores)
        analysis.provenance = try storedProvenance(inlineResponseLimit: inlineResponseLimit, store: store)
        analysis.provenance?.unverifiedEvidence = unverifiedEvidence
        return analysis
    }

    /// The raw response inline when small; otherwise in the content store by hash, so that a
    /// batch of long answers does not become a message too large for the broker.
    private func storedProvenance(inlineResponseLimit: Int, store: ContentStore?) throws(TaskFailure) -> ModelProvenance {
        var provenance = provenance
        guard rawResponse.count > inlineResponseLimit, let store else {
            provenance.rawResponse = String(decoding: rawResponse, as: UTF8.self)
            return provenance
        }
        do {
            provenance.rawResponseRef = try store.put(rawResponse).description
        } catch {
            throw TaskFailure(code: "content_\(error.code)", message: "storing the model's response: \(error.message)")
        }
        return provenance
    }
}
