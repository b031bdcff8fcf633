import Synchronization
import TributaryCore

/// Analyses the documents of one batch with the built-in ``DocumentAnalyser``.
/// Deterministic: the same batch gives the same bytes.
public struct AnalyseBatchHandler: TaskHandler {
    public let taskType = TaskType.analyseBatch
    /// Reads texts that travel as content-store addresses.
    public let content: ContentResolver
    /// The analyser of the experiments seen last: every batch of an experiment carries the
    /// same framework, and compiling its phrases and formulas for each batch was a large part
    /// of an agent's work per task.
    private let analysers = AnalyserCache()

    public init(content: ContentResolver = ContentResolver(store: nil)) { self.content = content }

    public func handle(_ task: TaskMessage) async throws -> BatchAnalysis {
        guard case .analyseBatch(let batch) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected an analyse_batch payload", permanent: true)
        }
        let analyser: DocumentAnalyser
        do {
            analyser = try analysers.analyser(for: batch.framework)
        } catch {
            throw TaskFailure(code: "invalid_framework", message: "\(error)", permanent: true)
        }
        let documents = try content.texts(of: batch.documents).map(analyser.analyse)
        return BatchAnalysis(
            batchIndex: task.batchIndex ?? 0, documents: batch.keepEvidence == true ? documents : Self.keepingEvidenceCandidates(documents))
    }

    /// Evidence only where the report can use it. The report shows, per dimension, the three
    /// highest-scoring documents of the corpus with two sentences each; those are always among
    /// some batch's own top three, so every other document's evidence is dropped here. The
    /// result, and with it the synthesis input, shrinks to scores, and the report is unchanged.
    static func keepingEvidenceCandidates(_ documents: [DocumentAnalysis]) -> [DocumentAnalysis] {
        var kept = documents
        let dimensions = Set(documents.flatMap(\.scores.keys))
        for name in dimensions {
            let top = Set(
                documents.indices
                    .compactMap { index in documents[index].scores[name].map { (index, documents[index].id, $0.rawScore) } }
                    .sorted { $0.2 != $1.2 ? $0.2 > $1.2 : $0.1 < $1.1 }
                    .prefix(CorpusSynthesiser.topDocuments)
                    .map(\.0))
            for index in kept.indices {
                guard var score = kept[index].scores[name] else { continue }
                score.evidence = top.contains(index) ? Array(score.evidence.prefix(CorpusSynthesiser.evidencePerTopDocument)) : []
                kept[index].scores[name] = score
            }
        }
        return kept
    }
}

/// A few compiled analysers, by framework.
final class AnalyserCache: Sendable {
    private let entries = Mutex<[(framework: Framework, analyser: DocumentAnalyser)]>([])
    private static let capacity = 8

    func analyser(for framework: Framework) throws(FormulaError) -> DocumentAnalyser {
        if let hit = entries.withLock({ $0.first { $0.framework == framework }?.analyser }) { return hit }
        let analyser = try DocumentAnalyser(framework: framework)
        entries.withLock { entries in
            entries.insert((framework, analyser), at: 0)
            if entries.count > Self.capacity { entries.removeLast() }
        }
        return analyser
    }
}
