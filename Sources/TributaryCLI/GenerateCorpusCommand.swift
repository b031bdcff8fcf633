import ArgumentParser
import TributaryExperimentFiles

struct GenerateCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-corpus",
        abstract: "Write a synthetic experiment folder (deterministic for a given seed) for tests and benchmarks.")

    @Option(help: "Number of documents.") var documents = 1_000
    @Option(help: "Words per document.") var words = 200
    @Option(help: "Documents per batch.") var batchSize = 10
    @Option(help: "Random seed; the same seed writes the same bytes.") var seed: UInt64 = 1
    @Argument(help: "Folder to write (created if missing).") var folder: String
    @Flag(help: "Print what was written as JSON.") var json = false

    func validate() throws {
        guard documents > 0, words > 0, batchSize > 0 else { throw ValidationError("--documents, --words and --batch-size must be positive") }
    }

    func run() throws {
        try CorpusGenerator.write(documents: documents, wordsPerDocument: words, batchSize: batchSize, seed: seed, to: folder)
        if json {
            try printJSON(["folder": folder, "documents": "\(documents)"])
        } else {
            print("wrote \(documents) documents to \(folder) (submit with: tributary submit \(folder) --wait)")
        }
    }
}
