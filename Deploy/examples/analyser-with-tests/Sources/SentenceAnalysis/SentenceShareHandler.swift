import Foundation
import TributaryCore

/// Scores each dimension of a framework by the share of a document's sentences that use one
/// of its `raises` phrases, and keeps those sentences as evidence.
///
/// It is an `analyse_batch` handler: run it with Tributary's agent runtime (in a test,
/// `TestPipeline.runAgent`) in place of the built-in analyser, and the orchestrator, the
/// synthesis and the report treat its results like any other.
public struct SentenceShareHandler: TaskHandler {
    public let taskType = TaskType.analyseBatch

    public init() {}

    public func handle(_ task: TaskMessage) async throws -> BatchAnalysis {
        guard case .analyseBatch(let batch) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected an analyse_batch payload", permanent: true)
        }
        let documents = try batch.documents.map { document in
            guard document.textRef == nil else {
                // Texts in a content store reach an agent as addresses; this analyser reads none.
                throw TaskFailure(code: "text_not_inline", message: "document \(document.id) has no inline text", permanent: true)
            }
            return Self.analyse(id: document.id, text: document.text, metadata: document.metadata, dimensions: batch.framework.dimensions)
        }
        return BatchAnalysis(batchIndex: task.batchIndex ?? 0, documents: documents)
    }

    /// One document's scores: per dimension, the sentences with one of its phrases over all sentences.
    public static func analyse(id: String, text: String, metadata: [String: String], dimensions: [TributaryCore.Dimension]) -> DocumentAnalysis {
        let sentences = Self.sentences(of: text)
        var scores: [String: DimensionScore] = [:]
        for dimension in dimensions {
            let phrases = dimension.raises.map { $0.lowercased() }
            let hits = sentences.compactMap { sentence in
                phrases.first { sentence.text.lowercased().contains($0) }.map { (sentence, $0) }
            }
            let share = sentences.isEmpty ? 0 : Double(hits.count) / Double(sentences.count)
            scores[dimension.name] = DimensionScore(
                rawScore: share, salience: nil, confidence: sentences.isEmpty ? 0 : min(1, Double(sentences.count) / 10),
                raisesHits: hits.count, lowersHits: 0,
                evidence: hits.prefix(5).map { Evidence(sentence: $0.0.text, start: $0.0.start, end: $0.0.end, phrase: $0.1) })
        }
        let words = text.split { $0.isWhitespace || $0.isPunctuation }.count
        return DocumentAnalysis(id: id, wordCount: words, metadata: metadata, scores: scores, derived: [:])
    }

    /// Sentences ended by `.`, `!`, `?` or a line break, with their character offsets.
    static func sentences(of text: String) -> [(text: String, start: Int, end: Int)] {
        var found: [(String, Int, Int)] = []
        var start = 0
        var current = ""
        for (offset, character) in text.enumerated() {
            if current.isEmpty, character.isWhitespace {
                start = offset + 1
                continue
            }
            current.append(character)
            if ".!?\n".contains(character) {
                let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { found.append((trimmed, start, start + trimmed.count)) }
                current = ""
                start = offset + 1
            }
        }
        let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { found.append((trimmed, start, start + trimmed.count)) }
        return found
    }
}
