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
        for dimension in spec.framework.dimensions {
            if !dimensionNames.insert(dimension.name).inserted {
                report.errors.append("framework.dimensions: '\(dimension.name)' is defined twice")
            }
            if dimension.name.isEmpty || !dimension.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) || dimension.name.first!.isNumber {
                report.errors.append("framework.dimensions: '\(dimension.name)' is not a valid name (letters, digits and _, not starting with a digit)")
            }
            if dimension.raises.allSatisfy({ TextIndex.words(of: $0).isEmpty }) {
                report.errors.append("framework.dimensions.\(dimension.name).raises: no marker phrase with a word in it")
            }
        }
        for metric in spec.framework.derivedMetrics {
            if dimensionNames.contains(metric.name) {
                report.errors.append("framework.derived_metrics: '\(metric.name)' has the name of a dimension")
            }
            do {
                _ = try Formula.parse(metric.formula, variables: dimensionNames)
            } catch {
                report.errors.append("framework.derived_metrics.\(metric.name).formula: \(error)")
            }
        }
        for index in spec.framework.indices {
            for name in index.dimensions where !dimensionNames.contains(name) {
                report.errors.append("framework.indices.\(index.name): unknown dimension '\(name)'")
            }
            if index.dimensions.count < 2 { report.errors.append("framework.indices.\(index.name): needs at least two dimensions") }
        }
        var ids: Set<String> = []
        for document in spec.documents {
            if document.id.isEmpty { report.errors.append("corpus: a document has an empty id") }
            if !ids.insert(document.id).inserted { report.errors.append("corpus: document id '\(document.id)' is used twice") }
            // A referenced text is checked by size here; its words are read where it is analysed.
            if document.textRef != nil ? document.size == 0 : document.text.allSatisfy(\.isWhitespace) {
                report.errors.append("corpus: document '\(document.id)' has no text")
            }
            if let field = spec.groupBy, document.metadata[field] == nil {
                report.errors.append("corpus: document '\(document.id)' has no '\(field)' metadata for group_by")
            }
            if document.size > spec.maxBatchBytes {
                report.warnings.append("document '\(document.id)' is larger than max_batch_bytes and gets a batch of its own")
            }
        }
        return report
    }
}
