import TributaryClient
import TributaryCore

/// The experiment both tests submit: three short documents and one dimension.
enum Corpus {
    static let framework = Framework(name: "affect", version: "1", dimensions: [TributaryCore.Dimension(name: "hope", raises: ["hope"])])

    static let documents = [
        Document(id: "a", text: "We hope. We wait. We hope again. We rest.", metadata: ["group": "x"]),
        Document(id: "b", text: "Nothing here. Nothing there.", metadata: ["group": "y"]),
        Document(id: "c", text: "Hope hope hope fear.", metadata: ["group": "x"]),
    ]

    static let spec = ExperimentSpec(name: "sample", framework: framework, documents: documents, batchSize: 1)
}

extension ExperimentStatus {
    /// Each document's `hope_raw_score` in the report's scores table.
    var hopeScores: [String: Double] {
        guard case .string(let csv)? = report?["scores_csv"] else { return [:] }
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, let column = header.firstIndex(of: "hope_raw_score") else { return [:] }
        var scores: [String: Double] = [:]
        for row in rows.dropFirst() where row.count > column { scores[row[0]] = Double(row[column]) }
        return scores
    }
}
