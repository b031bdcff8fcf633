import TributaryCore

/// Builds the corpus report from every batch's document analyses.
public enum CorpusSynthesiser {
    /// Documents listed per dimension in the report's `top_documents`.
    static let topDocuments = 3
    /// Evidence sentences shown per top document.
    static let evidencePerTopDocument = 2

    public static func synthesise(_ payload: SynthesisPayload, batches: [BatchAnalysis]) -> CorpusReport {
        let replicated = payload.replicates.map { replicatedDocuments(batches, plan: $0) }
        return synthesise(payload, batches: batches, replicated: replicated)
    }

    /// The documents every statistic is over: each one once, as its replicates' mean where
    /// there are replicates.
    public static func documents(_ batches: [BatchAnalysis], replicated: [ReplicatedDocument]?) -> [DocumentAnalysis] {
        replicated?.map(\.mean) ?? batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents)
    }

    public static func synthesise(_ payload: SynthesisPayload, batches: [BatchAnalysis], replicated: [ReplicatedDocument]?) -> CorpusReport {
        let documents = documents(batches, replicated: replicated)
        let dimensionNames = payload.framework.dimensions.map(\.name)
        let metricNames = payload.framework.derivedMetrics.map(\.name)
        func scores(_ name: String) -> [Double] { documents.compactMap { $0.scores[name]?.rawScore } }
        func metric(_ name: String) -> [Double] { documents.compactMap { $0.derived[name] ?? nil } }

        var correlations: [String: [String: Double?]] = [:]
        for a in dimensionNames {
            for b in dimensionNames { correlations[a, default: [:]][b] = Statistics.pearson(scores(a), scores(b)) }
        }
        var reliability: [String: Double?] = [:]
        for index in payload.framework.indices {
            reliability[index.name] = Statistics.cronbachAlpha(index.dimensions.map(scores))
        }

        var comparisons: [CorpusReport.GroupComparison] = []
        if let field = payload.groupBy {
            let groupNames = Set(documents.compactMap { $0.metadata[field] }).sorted()
            let variables: [(String, isDimension: Bool)] = dimensionNames.map { ($0, true) } + metricNames.map { ($0, false) }
            for (variable, isDimension) in variables {
                let value = { (d: DocumentAnalysis) -> Double? in isDimension ? d.scores[variable]?.rawScore : d.derived[variable] ?? nil }
                let groups = groupNames.map { group in documents.filter { $0.metadata[field] == group }.compactMap(value) }
                let summaries = zip(groupNames, groups).map { name, values in
                    let stats = DescriptiveStatistics(values)
                    return CorpusReport.GroupSummary(group: name, n: values.count, mean: stats.mean, standardDeviation: stats.standardDeviation)
                }
                let test = groups.count == 2 ? Statistics.welch(groups[0], groups[1]) : groups.count > 2 ? Statistics.anova(groups) : nil
                comparisons.append(CorpusReport.GroupComparison(variable: variable, groups: summaries, test: test))
            }
        }

        var top: [String: [CorpusReport.TopDocument]] = [:]
        for name in dimensionNames {
            top[name] =
                documents
                .compactMap { d in d.scores[name].map { (d.id, $0) } }
                .sorted { $0.1.rawScore != $1.1.rawScore ? $0.1.rawScore > $1.1.rawScore : $0.0 < $1.0 }
                .prefix(topDocuments)
                .map { CorpusReport.TopDocument(id: $0.0, rawScore: $0.1.rawScore, evidence: Array($0.1.evidence.prefix(evidencePerTopDocument))) }
        }

        var report = CorpusReport(
            experiment: payload.experimentName, run: payload.run,
            coverage: CorpusReport.ReportCoverage(
                documentsPlanned: max(payload.coverage.documentsPlanned, documents.count), documentsAnalysed: documents.count,
                failedBatches: payload.coverage.failedBatches),
            researchQuestion: payload.researchQuestion,
            framework: payload.framework.name + " " + payload.framework.version,
            documentCount: documents.count, batchCount: batches.count, totalWords: documents.reduce(0) { $0 + $1.wordCount },
            dimensions: Dictionary(uniqueKeysWithValues: dimensionNames.map { ($0, DescriptiveStatistics(scores($0))) }),
            derivedMetrics: Dictionary(uniqueKeysWithValues: metricNames.map { ($0, DescriptiveStatistics(metric($0))) }),
            correlations: correlations, reliability: reliability, groupBy: payload.groupBy,
            groupComparisons: comparisons, topDocuments: top)
        if let replicated, let plan = payload.replicates {
            // Every replicate's calls are accounted for, not only the mean's.
            report.provenance = ReportProvenance(documents: replicated.flatMap { $0.replicates.map(\.analysis) })
            if plan.count > 1 {
                report.replicates = plan.count
                report.replicateAgreement = agreement(replicated, dimensions: dimensionNames)
            }
            if let models = plan.models {
                report.models = models
                report.modelAgreement = modelAgreement(replicated, dimensions: dimensionNames)
            }
        } else {
            report.provenance = ReportProvenance(documents: documents)
        }
        return report
    }
}
