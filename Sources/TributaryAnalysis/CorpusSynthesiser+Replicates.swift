import TributaryCore

/// Replicated analyses: each document's replicates are collapsed to their mean before any
/// statistic, and their agreement is measured per dimension.
extension CorpusSynthesiser {
    /// One analysis of a document: by which model (its index, 0 with one model) and replicate.
    public struct Replicate: Sendable {
        public var model: Int
        public var replicate: Int
        public var analysis: DocumentAnalysis
    }

    /// One document and every analysis of it, by model, then replicate.
    public struct ReplicatedDocument: Sendable {
        public var mean: DocumentAnalysis
        public var replicates: [Replicate]
    }

    /// Resamples behind each alpha's interval, and the generator's seed: fixed, so the same
    /// scores always give the same report.
    static let bootstrapResamples = 1_000
    static let bootstrapSeed: UInt64 = 0x5452_4942_5554_4152
    /// A document whose replicate scores span more than this is counted as unstable.
    static let spreadThreshold = 0.2

    /// The analysed documents in corpus order, each with its replicates. Replicate r of a
    /// batch holds the same documents in the same order as replicate 0, so ordering batches
    /// by their replicate-0 index keeps the corpus order whichever replicates failed.
    public static func replicatedDocuments(_ batches: [BatchAnalysis], plan: SynthesisPayload.Replicates) -> [ReplicatedDocument] {
        let per = max(plan.batchesPerReplicate, 1)
        let ordered = batches.sorted { ($0.batchIndex % per, $0.batchIndex) < ($1.batchIndex % per, $1.batchIndex) }
        var order: [String] = []
        var byID: [String: [Replicate]] = [:]
        for batch in ordered {
            for document in batch.documents {
                if byID[document.id] == nil { order.append(document.id) }
                byID[document.id, default: []].append(
                    Replicate(model: plan.model(ofBatch: batch.batchIndex), replicate: plan.replicate(ofBatch: batch.batchIndex), analysis: document))
            }
        }
        return order.compactMap { id in
            guard let replicates = byID[id]?.sorted(by: { ($0.model, $0.replicate) < ($1.model, $1.replicate) }) else { return nil }
            return ReplicatedDocument(mean: mean(of: replicates.map(\.analysis)), replicates: replicates)
        }
    }

    /// The document as its replicates' mean: each dimension's raw score, confidence and (for
    /// the phrase matcher) salience, and each derived metric, averaged over the replicates
    /// that have it; the evidence is the first such replicate's.
    static func mean(of analyses: [DocumentAnalysis]) -> DocumentAnalysis {
        func average(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
        var scores: [String: DimensionScore] = [:]
        for name in Set(analyses.flatMap(\.scores.keys)) {
            let present = analyses.compactMap { $0.scores[name] }
            guard let first = present.first else { continue }
            let saliences = present.compactMap(\.salience)
            scores[name] = DimensionScore(
                rawScore: average(present.map(\.rawScore)), salience: saliences.count == present.count ? average(saliences) : nil,
                confidence: average(present.map(\.confidence)), raisesHits: nil, lowersHits: nil, evidence: first.evidence)
        }
        var derived: [String: Double?] = [:]
        for name in Set(analyses.flatMap(\.derived.keys)) {
            let values = analyses.compactMap { $0.derived[name] ?? nil }
            derived[name] = values.isEmpty ? nil : average(values)
        }
        let first = analyses[0]
        return DocumentAnalysis(id: first.id, wordCount: first.wordCount, metadata: first.metadata, scores: scores, derived: derived)
    }

    /// Per dimension: alpha across replicates, its bootstrap interval, and the unstable
    /// share. With several models each (document, model) is a unit: replicates agree or not
    /// within a model, and ``modelAgreement(_:dimensions:)`` compares the models.
    static func agreement(_ documents: [ReplicatedDocument], dimensions: [String]) -> [String: CorpusReport.Agreement] {
        agreement(dimensions: dimensions) { name in
            documents.flatMap { document in
                Dictionary(grouping: document.replicates, by: \.model).sorted { $0.key < $1.key }.map {
                    $0.value.compactMap { $0.analysis.scores[name]?.rawScore }
                }
            }
        }
    }

    /// Per dimension: alpha across models, each model's score of a document the mean of its
    /// replicates there; the spread is between those means.
    static func modelAgreement(_ documents: [ReplicatedDocument], dimensions: [String]) -> [String: CorpusReport.Agreement] {
        agreement(dimensions: dimensions) { name in
            documents.map { document in
                Dictionary(grouping: document.replicates, by: \.model).sorted { $0.key < $1.key }.compactMap { _, analyses in
                    let scores = analyses.compactMap { $0.analysis.scores[name]?.rawScore }
                    return scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count)
                }
            }
        }
    }

    private static func agreement(dimensions: [String], units: (String) -> [[Double]]) -> [String: CorpusReport.Agreement] {
        var result: [String: CorpusReport.Agreement] = [:]
        for name in dimensions {
            let units = units(name)
            result[name] = CorpusReport.Agreement(
                documents: units.filter { $0.count >= 2 }.count, alpha: Agreement.krippendorffInterval(units),
                alphaInterval95: Agreement.bootstrapInterval(units, resamples: bootstrapResamples, seed: bootstrapSeed),
                bootstrapResamples: bootstrapResamples, spreadShare: Agreement.spreadShare(units, above: spreadThreshold),
                spreadThreshold: spreadThreshold)
        }
        return result
    }
}
