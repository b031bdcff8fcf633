import ArgumentParser
import Foundation
import TributaryContentStore
import TributaryCore
import TributaryReportPage

enum ReportFiles {
    /// Writes the synthesis output as the files a researcher uses, and returns their names.
    /// report.json is the report as the agent sent it, so fields a newer agent adds are kept.
    @discardableResult
    static func write(_ result: JSONValue, to folder: String, store: ContentStore?, quietly: Bool = false) throws -> [String] {
        try write(files(of: result, store: store), to: folder, quietly: quietly)
    }

    /// Writes files already made (by ``files(of:store:)``).
    @discardableResult
    static func write(_ files: [(name: String, bytes: [UInt8])], to folder: String, quietly: Bool = false) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: folder).appendingPathComponent(name), options: .atomic)
        }
        let others = files.map(\.name).filter { $0 != "report.md" }.joined(separator: ", ")
        if !quietly { print("report written to \(folder)/report.md (also \(others))") }
        return files.map(\.name)
    }

    /// The files' names and bytes, in the order they are written.
    static func files(of result: JSONValue, store: ContentStore?) throws -> [(name: String, bytes: [UInt8])] {
        let output: CorpusSynthesisOutput
        do {
            output = try MessageCoding.decode(CorpusSynthesisOutput.self, from: MessageCoding.encode(result))
        } catch {
            throw ValidationError("the synthesis output is not a report this build reads: \(error)")
        }
        var report = try MessageCoding.encode(result["report"] ?? result)
        if let pretty = try? JSONSerialization.data(
            withJSONObject: JSONSerialization.jsonObject(with: Data(report)), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        {
            report = Array(pretty) + [0x0A]
        }
        let scores: [UInt8]
        if let reference = output.scoresCsvRef {
            // Too large for the result message, the table is in the content store.
            guard let store else { throw ValidationError("the scores table is in a content store (\(reference)); pass --document-store to fetch it") }
            scores = try store.get(ContentAddress(parsing: reference))
        } else {
            scores = Array(output.scoresCsv.utf8)
        }
        let page = ReportPage.html(output, scores: String(decoding: scores, as: UTF8.self))
        var files: [(name: String, bytes: [UInt8])] = [
            ("report.json", report), ("report.md", Array(output.reportMarkdown.utf8)), ("report.html", Array(page.utf8)), ("scores.csv", scores),
        ]
        if let reference = output.replicatesCsvRef {
            guard let store else { throw ValidationError("the replicates table is in a content store (\(reference)); pass --document-store to fetch it") }
            files.append(("replicates.csv", try store.get(ContentAddress(parsing: reference))))
        } else if let table = output.replicatesCsv {
            files.append(("replicates.csv", Array(table.utf8)))
        }
        return files
    }
}
