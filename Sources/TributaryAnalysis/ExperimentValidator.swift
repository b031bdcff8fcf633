import TributaryCore

/// Checks an experiment before any work is fanned out; every problem is reported, not just the first.
public enum ExperimentValidator {
    public struct Report: Sendable, Hashable {
        public var errors: [String] = []
        public var warnings: [String] = []
    }

    public static func validate(_ spec: ExperimentSpec) -> Report {
        var report = Report()
        if spec.documents.isEmpty { report.errors.append("corpus: no documents") }
        if spec.batchSize < 1 { report.errors.append("batch_size: must be at least 1 (got \(spec.batchSize))") }
        if spec.maxBatchBytes < 1 { report.errors.append("max_batch_bytes: must be at least 1 (got \(spec.maxBatchBytes))") }
        if spec.framework.dimensions.isEmpty { report.errors.append("framework.dimensions: none defined") }
        var dimensionNames: Set<String> = []
        for dimension in spec.framework.dimensions where !dimensionNames.insert(dimension.name).inserted {
            report.errors.append("framework.dimensions: '\(dimension.name)' is defined twice")
        }
        var ids: Set<String> = []
        for document in spec.documents {
            if document.id.isEmpty { report.errors.append("corpus: a document has an empty id") }
            if !ids.insert(document.id).inserted { report.errors.append("corpus: document id '\(document.id)' is used twice") }
            if document.text.allSatisfy(\.isWhitespace) { report.errors.append("corpus: document '\(document.id)' has no text") }
            if let field = spec.groupBy, document.metadata[field] == nil {
                report.errors.append("corpus: document '\(document.id)' has no '\(field)' metadata for group_by")
            }
            if document.text.utf8.count > spec.maxBatchBytes {
                report.warnings.append("document '\(document.id)' is larger than max_batch_bytes and gets a batch of its own")
            }
        }
        return report
    }
}
