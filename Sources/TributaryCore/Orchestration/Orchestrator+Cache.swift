import Foundation

/// The result cache: documents whose analysis is cached are left out of the batches sent,
/// and each batch's result is merged back with them, in plan order, when it is counted. The
/// synthesis reads the merged results and so sees the corpus a run without the cache sees.
/// An entry is written in the transaction that counts its batch, so no counted analysis is
/// ever lost to a crash and no uncounted one is ever cached.
extension Orchestrator {
    /// The experiment's batches as planned, with the cache applied.
    struct CachedBatches {
        /// One task per planned batch: its misses only, or every document when none missed.
        var tasks: [[UInt8]] = []
        var plans: [(index: Int, plan: [UInt8])] = []
        /// Batches every document of which was cached, with their merged results.
        var complete: [(index: Int, result: [UInt8])] = []
    }

    /// The keys of the experiment's documents when its results are cached, nil when they are
    /// not; sets up the experiment's ``CacheSummary``. An external analyser without a version
    /// is not cached, and the experiment is told why.
    func cacheKeys(for spec: ExperimentSpec, of record: inout ExperimentRecord) -> AnalysisCacheKeys? {
        guard spec.cacheMode != .off else { return nil }
        let keys: AnalysisCacheKeys
        do {
            keys = try AnalysisCacheKeys.make(for: spec, externalVersion: externalAnalyserVersion)
        } catch {
            record.warnings.append("cache: \(spec.cacheMode.rawValue) is not in effect: \((error as? ContractError)?.message ?? "\(error)")")
            return nil
        }
        var analysis = record.analysis ?? AnalysisRecord(kind: spec.analyserKind)
        analysis.cache = CacheSummary(mode: spec.cacheMode, analyser: keys.label)
        record.analysis = analysis
        return keys
    }

    /// Caches the pilot's analyses, counted into the ledger in this same transaction, so that
    /// planning finds them and the fan-out does not pay for those documents again. An
    /// analysis of a document the corpus lacks is ignored.
    func cachePilot(
        _ analyses: [DocumentAnalysis], corpus: Corpus, keys: AnalysisCacheKeys, of record: inout ExperimentRecord, at now: Date,
        in store: some ExperimentStoreTransaction
    ) throws {
        guard var summary = record.analysis?.cache, summary.mode.writes, !analyses.isEmpty else { return }
        let documents = try corpus.documents(analyses.map(\.id))
        let byID = Dictionary(analyses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let prices = record.analysis?.meteredModel.flatMap { models[$0] }
        var entries: [String: CachedAnalysis] = [:]
        for document in documents {
            guard let analysis = byID[document.id] else { continue }
            let key = try keys.key(for: document)
            let input = analysis.provenance?.inputTokens ?? 0
            let output = analysis.provenance?.outputTokens ?? 0
            entries[key] = CachedAnalysis(
                key: key, analyser: summary.analyser, documentID: document.id, result: try MessageCoding.encode(analysis), inputTokens: input,
                outputTokens: output, cost: prices?.cost(inputTokens: input, outputTokens: output) ?? 0, createdAt: now, experimentID: record.id)
        }
        try store.storeCachedAnalyses(entries.values.sorted { $0.key < $1.key }, replace: summary.mode == .refresh)
        summary.documentsStored += entries.count
        record.analysis?.cache = summary
    }

    /// Plans batches `first…` of `batches` against the cache: looks up every document's key
    /// at once, keeps each batch's plan, and completes the batches nothing is left to send for.
    func cachedBatches(
        _ batches: ArraySlice<[String]>, first: Int, replicate: Int = 0, corpus: Corpus, template: BatchTaskTemplate, keys: AnalysisCacheKeys,
        piloted: Set<String>, of record: inout ExperimentRecord, in store: some ExperimentStoreTransaction
    ) throws -> CachedBatches {
        guard var summary = record.analysis?.cache else { return CachedBatches() }
        let documents = try batches.map { try corpus.documents($0) }
        let documentKeys = try documents.map { try $0.map { try keys.key(for: $0, replicate: replicate) } }
        let hits = summary.mode.reads ? try store.cachedAnalyses(keys: Array(Set(documentKeys.joined()))) : [:]
        var planned = CachedBatches()
        for (offset, batch) in documents.enumerated() {
            let index = first + offset
            let entries = zip(batch, documentKeys[offset]).map { document, key in
                BatchCachePlan.Entry(id: document.id, key: key, cached: hits[key].flatMap { Self.reuse($0, for: document) })
            }
            let misses = zip(batch, entries).filter { $0.1.cached == nil }.map(\.0)
            // A document this run's pilot analysed is no saving, even where another experiment's
            // pilot cached the same analysis first: it was paid for here.
            for hit in entries.compactMap({ $0.cached == nil || piloted.contains($0.id) ? nil : hits[$0.key] }) {
                summary.documentsFromCache += 1
                summary.inputTokensSaved += hit.inputTokens
                summary.outputTokensSaved += hit.outputTokens
                summary.costSaved += hit.cost
            }
            if misses.isEmpty {
                planned.tasks.append(try corpus.task(template, batchIndex: index, documents: batch))
                let result = BatchAnalysis(batchIndex: index, documents: entries.compactMap(\.cached))
                planned.complete.append((index, try MessageCoding.encode(result)))
            } else {
                planned.tasks.append(try corpus.task(template, batchIndex: index, documents: misses))
                planned.plans.append((index, try MessageCoding.encode(BatchCachePlan(entries: entries))))
            }
        }
        record.analysis?.cache = summary
        return planned
    }

    /// The spec the pre-test is sent: for a language model whose results are cached, its
    /// pilot is the first documents not in the cache, and there is none when all are, so an
    /// unchanged corpus costs no call at all. Anything that stops the lookup leaves the
    /// pilot as the experiment set it; planning reads the cache again either way.
    func preTestSpec(_ submitted: ExperimentSpec, in store: some ExperimentStoreTransaction) -> ExperimentSpec {
        // With several models the pilot proves the first; the others are first called in the fan-out.
        let spec = submitted.forModel(at: 0)
        guard spec.analyserKind == .llm, spec.cacheMode.reads, var analyser = spec.analyser, analyser.pilotDocuments > 0,
            let keys = try? AnalysisCacheKeys.make(for: spec, externalVersion: externalAnalyserVersion), let corpus = try? corpus(of: spec)
        else { return spec }
        let ids: [String]
        switch corpus {
        case .inline: ids = spec.documents.map(\.id)
        case .manifest(let manifest): ids = manifest.ids
        }
        var pilot: [String] = []
        // A page at a time: a large cached corpus is walked only as far as its first misses.
        for first in stride(from: 0, to: ids.count, by: 256) where pilot.count < analyser.pilotDocuments {
            guard let documents = try? corpus.documents(Array(ids[first..<min(first + 256, ids.count)])),
                let documentKeys = try? documents.map({ try keys.key(for: $0) }),
                let hits = try? store.cachedAnalyses(keys: documentKeys)
            else { return spec }
            for (document, key) in zip(documents, documentKeys) where hits[key] == nil && pilot.count < analyser.pilotDocuments {
                pilot.append(document.id)
            }
        }
        analyser.pilotDocumentIDs = pilot
        var sent = spec
        sent.analyser = analyser
        return sent
    }

    /// A cached analysis as this experiment's document: its id and metadata are the ones the
    /// experiment gave (neither is in the key where the analyser does not read it). Nil when
    /// the entry can't be read, which makes it a miss.
    private static func reuse(_ entry: CachedAnalysis, for document: Document) -> DocumentAnalysis? {
        guard var analysis = try? MessageCoding.decode(DocumentAnalysis.self, from: entry.result) else { return nil }
        analysis.id = document.id
        analysis.metadata = document.metadata
        return analysis
    }

    /// A fresh batch result merged with its plan's cached documents, and the cache entries its
    /// fresh documents make. A result the plan does not fit (unreadable, or no plan) is counted
    /// as it came and caches nothing.
    func mergeWithCache(
        _ bytes: [UInt8], batchIndex: Int, of record: ExperimentRecord, at now: Date, in store: some ExperimentStoreTransaction
    ) throws -> (result: [UInt8], entries: [CachedAnalysis]) {
        guard let summary = record.analysis?.cache, summary.mode.writes,
            let planBytes = try store.cachePlan(experimentID: record.id, batchIndex: batchIndex),
            let plan = try? MessageCoding.decode(BatchCachePlan.self, from: planBytes),
            let analysis = try? MessageCoding.decode(BatchAnalysis.self, from: bytes)
        else { return (bytes, []) }
        let fresh = Dictionary(analysis.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let model = record.analysis?.meteredModel(ofBatch: batchIndex)
        let prices = model.flatMap { models[$0] }
        // Each model's entries under its own label, for `cache purge --analyser llm:<model>`.
        let label = record.analysis?.models != nil ? model.map { "llm:" + $0 } ?? summary.analyser : summary.analyser
        var merged: [DocumentAnalysis] = []
        var entries: [String: CachedAnalysis] = [:]
        for entry in plan.entries {
            if let cached = entry.cached {
                merged.append(cached)
                continue
            }
            guard let document = fresh[entry.id] else { continue }
            merged.append(document)
            let input = document.provenance?.inputTokens ?? 0
            let output = document.provenance?.outputTokens ?? 0
            // Two documents with one key (the same text, where the analyser reads no id) make one entry.
            guard entries[entry.key] == nil else { continue }
            entries[entry.key] = CachedAnalysis(
                key: entry.key, analyser: label, documentID: document.id, result: try MessageCoding.encode(document), inputTokens: input,
                outputTokens: output, cost: prices?.cost(inputTokens: input, outputTokens: output) ?? 0, createdAt: now, experimentID: record.id)
        }
        let named = Set(plan.entries.map(\.id))
        merged += analysis.documents.filter { !named.contains($0.id) }
        let result = try MessageCoding.encode(BatchAnalysis(batchIndex: analysis.batchIndex, documents: merged, usage: analysis.usage))
        return (result, entries.values.sorted { $0.key < $1.key })
    }
}

extension Orchestrator.Corpus {
    /// The named documents, in the order given.
    func documents(_ ids: [String]) throws -> [Document] {
        switch self {
        case .inline(let documents): ids.compactMap { documents[$0] }
        case .manifest(let manifest): try MessageCoding.decode([Document].self, from: manifest.encodedArray(of: ids))
        }
    }

    /// The batch's task with every document the plan names.
    func task(_ template: BatchTaskTemplate, batchIndex: Int, ids: [String]) throws -> [UInt8] {
        switch self {
        case .inline(let documents): try template.task(batchIndex: batchIndex, documents: ids.compactMap { documents[$0] })
        case .manifest(let manifest): try template.task(batchIndex: batchIndex, documentArray: manifest.encodedArray(of: ids))
        }
    }

    /// The batch's task, its documents taken from the manifest's own bytes where there is one.
    func task(_ template: BatchTaskTemplate, batchIndex: Int, documents: [Document]) throws -> [UInt8] {
        switch self {
        case .inline: try template.task(batchIndex: batchIndex, documents: documents)
        case .manifest(let manifest): try template.task(batchIndex: batchIndex, documentArray: manifest.encodedArray(of: documents.map(\.id)))
        }
    }
}
