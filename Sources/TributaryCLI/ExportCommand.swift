import ArgumentParser
import Foundation
import TributaryAnalysis
import TributaryClient
import TributaryCommandLine
import TributaryContentStore
import TributaryCore
import TributaryExperimentFiles

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a completed experiment's full record into a folder: its tables, every evidence quote, every raw model response, and its run lock.",
        discussion: """
            Writes report.json, report.md, scores.csv (and replicates.csv with replicates) as the \
            pipeline made them; evidence.csv (document, dimension, quote, start, end: every quote \
            the stored results hold); responses.jsonl (every counted model response with its \
            provenance); experiment.lock.json, the SHA-256 of every input as the orchestrator \
            stored it; and status.json, the run's final status (ledger, cache use, coverage, \
            warnings) without the report. Exit 1 when the experiment is unknown or not completed.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var documentStore: DocumentStoreOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    @Option(help: "The folder to write into (made if missing).")
    var out: String

    @Option(help: "The model table (YAML) whose entry for the model the lock records. Default: $TRIBUTARY_MODELS_FILE.")
    var models: String?

    func run() async throws {
        let id = experimentID
        let (stored, input) = try await connection.withClient { client in
            (try await client.status(experimentID: id), try await client.reportInput(experimentID: id))
        }
        guard let stored else {
            print("unknown experiment \(id)")
            throw ExitCode(1)
        }
        guard stored.state == .completed, let report = stored.report, let task = input.task, let spec = input.spec,
            case .corpusSynthesis(let synthesis) = task.payload
        else {
            print("experiment \(id) is \(stored.state.rawValue): only a completed experiment can be exported")
            throw ExitCode(1)
        }
        let store = try documentStore.store()
        let reportFiles = try ReportFiles.write(report, to: out, store: store, quietly: true)
        let documents = try Self.analyses(of: synthesis, content: ContentResolver(store: store))
        let folder = URL(fileURLWithPath: out)
        try Data(Self.evidenceCSV(documents, replicated: synthesis.replicates != nil).utf8).write(
            to: folder.appendingPathComponent("evidence.csv"), options: .atomic)
        let responses = try Self.responses(documents, store: store)
        try Data(responses.lines.utf8).write(to: folder.appendingPathComponent("responses.jsonl"), options: .atomic)
        let table: ModelTable
        do { table = try ModelTableFile.configured(models) } catch { throw ValidationError("--models: \(error)") }
        let lock = try RunLock(spec: try Self.resolved(spec, store: store), modelTable: table)
        try Data(RunLock.fileBytes(lock)).write(to: folder.appendingPathComponent(RunLock.fileName), options: .atomic)
        // What the report leaves out to stay the same bytes on every re-run: what this run
        // spent, took from the cache and warned about.
        var record = stored
        record.report = nil
        try Data(MessageCoding.encodePretty(record)).write(to: folder.appendingPathComponent("status.json"), options: .atomic)
        let files = reportFiles + ["evidence.csv", "responses.jsonl", RunLock.fileName, "status.json"]
        print("exported experiment \(id) to \(out): \(files.joined(separator: ", ")) (\(responses.count) model responses)")
    }

    /// Every counted analysis in corpus order, with its replicate.
    static func analyses(of synthesis: SynthesisPayload, content: ContentResolver) throws -> [(replicate: Int, analysis: DocumentAnalysis)] {
        let batches: [BatchAnalysis]
        do { batches = try content.batchResults(of: synthesis) } catch { throw ValidationError("the stored results: \(error.message)") }
        guard let plan = synthesis.replicates else {
            return batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents).map { (0, $0) }
        }
        return CorpusSynthesiser.replicatedDocuments(batches, plan: plan).flatMap(\.replicates).map { ($0.replicate, $0.analysis) }
    }

    static func evidenceCSV(_ documents: [(replicate: Int, analysis: DocumentAnalysis)], replicated: Bool) -> String {
        var rows = ["document,dimension,quote,start,end" + (replicated ? ",replicate" : "")]
        for (replicate, analysis) in documents {
            for dimension in analysis.scores.keys.sorted() {
                for evidence in analysis.scores[dimension]?.evidence ?? [] {
                    var row = [analysis.id, dimension, evidence.sentence, String(evidence.start), String(evidence.end)]
                    if replicated { row.append(String(replicate)) }
                    rows.append(row.map(ReportRenderer.escape).joined(separator: ","))
                }
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// One JSON line per analysis a model made: its provenance and its raw response, fetched
    /// from the content store when it was too large to carry.
    static func responses(_ documents: [(replicate: Int, analysis: DocumentAnalysis)], store: ContentStore?) throws -> (lines: String, count: Int) {
        var lines = ""
        var count = 0
        for (replicate, analysis) in documents {
            guard var provenance = analysis.provenance else { continue }
            if provenance.rawResponse == nil, let reference = provenance.rawResponseRef {
                guard let store else { throw ValidationError("a raw response is in a content store (\(reference)); pass --document-store to fetch it") }
                provenance.rawResponse = String(decoding: try store.get(ContentAddress(parsing: reference)), as: UTF8.self)
            }
            let line = ExportedResponse(document: analysis.id, replicate: replicate, provenance: provenance)
            lines += String(decoding: try MessageCoding.encode(line), as: UTF8.self) + "\n"
            count += 1
        }
        return (lines, count)
    }

    /// The spec with its documents, read from the content store when it was submitted as a manifest.
    static func resolved(_ spec: ExperimentSpec, store: ContentStore?) throws -> ExperimentSpec {
        guard let reference = spec.corpusRef else { return spec }
        guard let store else { throw ValidationError("the corpus is in a content store (\(reference)); pass --document-store to read it for the lock") }
        var resolved = spec
        resolved.documents = try MessageCoding.decode([Document].self, from: store.get(ContentAddress(parsing: reference)))
        resolved.corpusRef = nil
        return resolved
    }
}

/// A line of `responses.jsonl`.
private struct ExportedResponse: Encodable {
    var document: String
    var replicate: Int
    var provenance: ModelProvenance
}
