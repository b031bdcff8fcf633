import ArgumentParser
import Foundation
import TributaryAnalysis
import TributaryClient
import TributaryCommandLine
import TributaryContentStore
import TributaryCore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write or print a completed experiment's report; --rebuild renders it again from the stored results.",
        discussion: """
            Without --out the Markdown report is printed. With --rebuild the report is rendered here, \
            from the batch results the orchestrator stored, by the same synthesis the agent runs (no \
            analyser, no model), and compared with the report the pipeline made: exit 0 when every \
            file is byte-identical, 1 when one differs (named) or the experiment is unknown or not \
            completed.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var documentStore: DocumentStoreOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    @Option(help: "Write report.json, report.md and scores.csv into this folder.")
    var out: String?

    @Flag(help: "Render the report again from the stored batch results, and compare it with the stored one.")
    var rebuild = false

    func run() async throws {
        let id = experimentID
        let (stored, input) = try await connection.withClient { client in
            (try await client.status(experimentID: id), rebuild ? try await client.reportInput(experimentID: id) : nil)
        }
        guard let stored else {
            print("unknown experiment \(id)")
            throw ExitCode(1)
        }
        guard stored.state == .completed, let original = stored.report else {
            print("experiment \(id) is \(stored.state.rawValue): only a completed experiment has a report")
            throw ExitCode(1)
        }
        let store = try documentStore.store()
        guard rebuild else { return try show(ReportFiles.files(of: original, store: store)) }
        guard let task = input?.task else {
            print("experiment \(id): the orchestrator rebuilt no synthesis input (state \(input?.status?.state.rawValue ?? "unknown"))")
            throw ExitCode(1)
        }
        let rebuilt: JSONValue
        do {
            let output = try await CorpusSynthesisHandler(content: ContentResolver(store: store)).handle(task)
            rebuilt = try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(output))
        } catch let failure as TaskFailure {
            throw ValidationError("the stored results do not render: \(failure.message)")
        }
        let after = try ReportFiles.files(of: rebuilt, store: store)
        try show(after)
        let before = try ReportFiles.files(of: original, store: store)
        let differing = zip(before, after).filter { $0.bytes != $1.bytes }.map(\.0.name)
        guard differing.isEmpty else {
            FileHandle.standardError.write(Data("error: the rebuilt \(differing.joined(separator: ", ")) differ(s) from the stored report\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("rebuilt from the stored results: byte-identical to the report the pipeline made\n".utf8))
    }

    private func show(_ files: [(name: String, bytes: [UInt8])]) throws {
        if let out {
            try ReportFiles.write(files, to: out)
            return
        }
        guard let markdown = files.first(where: { $0.name == "report.md" }) else { return }
        FileHandle.standardOutput.write(Data(markdown.bytes))
    }
}
