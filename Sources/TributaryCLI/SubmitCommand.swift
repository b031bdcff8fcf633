import AMQP
import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryContentStore
import TributaryCore
import TributaryExperimentFiles

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit an experiment and optionally wait for its outcome.",
        discussion: """
            EXPERIMENT is an experiment folder (with experiment.yaml), an experiment.yaml file, or a JSON \
            spec (.json). With --wait, exits 0 when the experiment completes, 1 when it fails (the \
            reason is printed), 2 on timeout. A broken experiment is refused before anything is sent. \
            With --estimate, nothing is sent: the cost and time of an llm experiment are estimated from \
            its corpus and the model table. With --out, experiment.lock.json (the SHA-256 of every \
            input) is written there before anything is sent; --locked FILE refuses, with exit 1 and \
            a line per difference, to submit anything that differs from such a lock.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var documentStore: DocumentStoreOptions

    @Argument(help: "Experiment folder, experiment.yaml, or JSON spec.")
    var experiment: String

    @Option(help: "The experiment's id (1-128 of A-Z a-z 0-9 _ -); default: a new UUID. Submitting the same id again is ignored.")
    var experimentID: String?

    @Option(help: "Largest document, in bytes.") var maxDocumentBytes = ExperimentLimits().maxDocumentBytes
    @Option(help: "Most documents in one experiment.") var maxDocuments = ExperimentLimits().maxDocuments
    @Option(help: "Largest corpus, in bytes.") var maxTotalBytes = ExperimentLimits().maxTotalBytes
    @Option(help: "Largest request message, in bytes (RabbitMQ 4 refuses messages over 16 MiB by default; larger corpora need --document-store).")
    var maxRequestBytes = 16 << 20

    @Flag(help: "Wait for the experiment to end, showing progress, then print the outcome (exit 0 completed, 1 failed, 2 timed out, 3 cancelled).")
    var wait = false

    @Flag(help: "With --wait, show no progress (only the outcome).")
    var quiet = false

    @Flag(help: "Print JSON on standard output: the submission, or with --wait the final status. Progress still goes to standard error.")
    var json = false

    @Option(help: "Seconds to wait with --wait.")
    var timeout: Int = 600

    @Option(help: "Write experiment.lock.json into this folder at submission and, with --wait, report.json, report.md and scores.csv.")
    var out: String?

    @Option(help: "Refuse (exit 1, naming each difference) unless every input equals this experiment.lock.json's.")
    var locked: String?

    @Flag(help: "Print what an llm experiment would cost and take, from its corpus and the model table; send nothing.")
    var estimate = false

    @Option(help: "The model table (YAML): --estimate prices and times by it; the lock records the model's entry. Default: $TRIBUTARY_MODELS_FILE.")
    var models: String?

    func run() async throws {
        var spec = try loadSpec()
        if estimate { return try printEstimate(for: spec) }
        try checkLock(for: spec)
        let documentCount = spec.documents.count
        let store = try documentStore.store()
        if let store { spec = try Self.storing(spec, in: store) }
        let outcome: ExperimentStatus? = try await connection.withConnection { amqp in
            var client = TributaryClient(connection: amqp, topology: connection.topology)
            client.maxRequestBytes = maxRequestBytes
            try await client.prepare()
            let subscription = try await client.submit(spec, experimentID: experimentID ?? UUID().uuidString.lowercased())
            if json, !wait {
                try printJSON(Submission(experimentId: subscription.experimentID, documents: documentCount))
            } else if !json {
                print("submitted experiment \(subscription.experimentID) (\(documentCount) documents)")
            }
            guard wait else { return nil }
            let display = quiet ? nil : ProgressDisplay()
            defer { display?.finish() }
            var progress: (@Sendable (ExperimentStatus) -> Void)?
            if let display { progress = { display.update($0) } }
            do {
                return try await subscription.outcome(within: .seconds(timeout), progress: progress)
            } catch let error as TributaryClientError where error.code == .timeout {
                display?.finish()
                print("error: \(error)")
                throw ExitCode(2)
            }
        }
        guard let outcome else { return }
        if json {
            if let out, let result = outcome.report { try ReportFiles.write(result, to: out, store: store, quietly: true) }
            try printJSON(outcome)
        } else {
            try describe(outcome)
        }
        switch outcome.state {
        case .completed: return
        case .cancelled: throw ExitCode(3)
        default: throw ExitCode(1)
        }
    }

    /// The outcome for people: a summary line, a warning when batches failed within the
    /// tolerance, and the report (written to --out, or the Markdown printed).
    private func describe(_ outcome: ExperimentStatus) throws {
        switch outcome.state {
        case .completed:
            print("completed: \(outcome.batchCount) batches, \(outcome.duplicatesIgnored) duplicate results ignored, \(outcome.retries) retries")
            if outcome.failedBatches > 0 {
                let coverage = (try? outcome.synthesisOutput())??.report.coverage
                let documents = coverage.map { "\($0.documentsAnalysed) of \($0.documentsPlanned) documents analysed" }
                FileHandle.standardError.write(
                    Data(
                        "warning: \(outcome.failedBatches) batch(es) failed for good (tolerated); \(documents ?? "some documents not analysed"). Re-run them with: tributary retry \(outcome.experimentID)\n"
                            .utf8))
            }
            guard let result = outcome.report else { return }
            if let out {
                try ReportFiles.write(result, to: out, store: try documentStore.store())
            } else if let markdown = (try? outcome.synthesisOutput())??.reportMarkdown {
                print(markdown)
            } else {
                try printJSON(result)
            }
        case .cancelled: print("cancelled: experiment \(outcome.experimentID)")
        default: print("failed: \(outcome.error ?? "no reason given")")
        }
    }

    /// The spec with its corpus moved into the content store: every text once, under its
    /// hash, and the list of documents as a manifest. The request then carries one address.
    static func storing(_ spec: ExperimentSpec, in store: ContentStore) throws -> ExperimentSpec {
        var stored = spec
        do {
            let documents = try spec.documents.map { document in
                let text = Array(document.text.utf8)
                return Document(
                    id: document.id, textRef: try store.put(text, durable: false).description, textBytes: text.count, metadata: document.metadata)
            }
            // One sync for all the texts, before the manifest that names them.
            store.sync()
            stored.corpusRef = try store.put(try MessageCoding.encode(documents)).description
        } catch let error as ContentStoreError {
            throw ValidationError("--document-store: \(error.message)")
        }
        stored.documents = []
        return stored
    }

    /// The corpus-only estimate: the same token guess the rate limiter admits batches with, and
    /// `max_output_tokens` for every answer, so it errs high.
    private func printEstimate(for spec: ExperimentSpec) throws {
        guard spec.analyserKind == .llm, let analyser = spec.analyser else {
            if json {
                try printJSON(NoEstimate(analyser: spec.analyserKind.rawValue, reason: "no model calls: nothing to estimate"))
            } else {
                print("experiment \(spec.name) uses the \(spec.analyserKind.rawValue) analyser: no model calls, nothing to estimate")
            }
            return
        }
        let table: ModelTable
        do { table = try ModelTableFile.configured(models) } catch { throw ValidationError("--models: \(error)") }
        let result = CostEstimate.make(
            documents: spec.documents.count, bytes: spec.documents.reduce(0) { $0 + $1.text.utf8.count },
            promptOverheadBytes: try TokenEstimator.promptOverheadBytes(framework: spec.framework, template: analyser.prompt),
            maxOutputTokens: analyser.maxOutputTokens, limits: analyser.model.flatMap { table[$0] })
        if json { return try printJSON(result) }
        for line in LedgerText.estimate(result, model: analyser.model) { print(line) }
        if let maxCost = spec.budget?.maxCost, let cost = result.cost, cost > maxCost {
            print("  budget: max_cost \(LedgerText.cost(maxCost)) is below the estimate; the experiment would pause (resume --max-cost raises it)")
        }
        if let maxTokens = spec.budget?.maxTokens, result.totalTokens > maxTokens {
            print("  budget: max_tokens \(maxTokens) is below the estimate; the experiment would pause (resume --max-tokens raises it)")
        }
    }

    /// Compares the inputs with `--locked` and writes them into `--out`, before anything is
    /// sent: a lock records what was submitted, whatever the outcome.
    private func checkLock(for spec: ExperimentSpec) throws {
        guard locked != nil || out != nil else { return }
        let table: ModelTable
        do { table = try ModelTableFile.configured(models) } catch { throw ValidationError("--models: \(error)") }
        let lock = try RunLock(spec: spec, modelTable: table)
        if let locked {
            guard let data = FileManager.default.contents(atPath: locked) else { throw ValidationError("--locked: cannot read \(locked)") }
            let pinned: RunLock
            do { pinned = try MessageCoding.decoder().decode(RunLock.self, from: data) } catch {
                throw ValidationError("--locked: \(locked) is not a run lock: \(error)")
            }
            guard pinned.lockVersion <= RunLock.currentVersion else {
                throw ValidationError("--locked: \(locked) is lock version \(pinned.lockVersion); this build reads up to \(RunLock.currentVersion)")
            }
            let differences = pinned.differences(from: lock)
            if !differences.isEmpty {
                var text = "error: refused: the inputs differ from \(locked):\n"
                for difference in differences { text += "  - \(difference)\n" }
                FileHandle.standardError.write(Data(text.utf8))
                throw ExitCode(1)
            }
        }
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try Data(RunLock.fileBytes(lock)).write(to: URL(fileURLWithPath: out).appendingPathComponent(RunLock.fileName))
        }
    }

    private func loadSpec() throws -> ExperimentSpec {
        var limits = ExperimentLimits()
        limits.maxDocumentBytes = maxDocumentBytes
        limits.maxDocuments = maxDocuments
        limits.maxTotalBytes = maxTotalBytes
        guard experiment.hasSuffix(".json") else {
            do {
                return try ExperimentFiles.load(experiment, limits: limits)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        guard let data = FileManager.default.contents(atPath: experiment) else {
            throw ValidationError("\(experiment): cannot read the file")
        }
        let spec: ExperimentSpec
        do {
            spec = try MessageCoding.decoder().decode(ExperimentSpec.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError("\(experiment): \(MessageCoding.describe(error))")
        } catch {
            throw ValidationError("\(experiment): not valid JSON (\(error))")
        }
        // As an experiment folder is: refused here, before anything is sent.
        if !spec.policyProblems.isEmpty {
            throw ValidationError(spec.policyProblems.map { "\(experiment): \($0)" }.joined(separator: "\n"))
        }
        return spec
    }
}

/// What `submit --estimate --json` prints for an experiment that calls no model.
private struct NoEstimate: Encodable {
    var analyser: String
    var reason: String
}

/// What `submit --json` prints without `--wait`.
private struct Submission: Encodable {
    var experimentId: String
    var documents: Int
}
