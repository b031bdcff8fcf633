import Foundation
import TributaryContentStore
import TributaryCore

/// What `tributary analyser-check` runs: the task shapes an external analyser meets in
/// production, sent through the agent's own handler (``ExternalCommandHandler``, and
/// ``ResolvingHandler`` for the content-store task), and what each answer must be.
public struct AnalyserConformance: Sendable {
    /// One check's outcome: passed, or the violation, in words a user can act on.
    public struct Finding: Sendable, Equatable {
        public var check: String
        public var violation: String?
        public var detail: String

        public var passed: Bool { violation == nil }
    }

    /// One task and what the answer to it must be.
    struct Case: Sendable {
        var name: String
        var task: TaskMessage
        var throughStore = false
    }

    public var executable: String
    public var arguments: [String]
    /// Each call's limit, as `--analyser-timeout` sets it for an agent.
    public var timeout: Duration
    /// Where the content-store task's text is put (a temporary folder of the check's own).
    public var store: ContentStore

    public init(executable: String, arguments: [String], timeout: Duration, store: ContentStore) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.store = store
    }

    static let framework = Framework(
        name: "conformance", version: "1",
        dimensions: [Dimension(name: "hope", raises: ["hope", "hopeful"], lowers: ["fear"]), Dimension(name: "fear", raises: ["fear", "afraid"])])

    static func task(_ documents: [Document], batch: Int) -> TaskMessage {
        TaskMessage(
            experimentID: "analyser-check", batchIndex: batch, batchCount: 8,
            payload: .analyseBatch(BatchPayload(framework: framework, documents: documents)))
    }

    /// The tasks, in the order they run.
    func cases() throws -> [Case] {
        let plain = [
            Document(id: "d1", text: "We hope the river park brings families together.", metadata: ["setting": "city"]),
            Document(id: "d2", text: "Fear of the flood is real, but hope is stronger.", metadata: ["setting": "rural"]),
            Document(id: "d3", text: "The council met on Tuesday.", metadata: [:]),
        ]
        let sentence = "People hope for work and fear the winter, and the harbour stays open. "
        let huge = String(repeating: sentence, count: (2 << 20) / sentence.utf8.count)
        let unicode = [
            Document(id: "dokument-ü-東京-🙂", text: "Ich hoffe — 希望 — أمل. Hope, e\u{301}te\u{301}, 🙂🙂.", metadata: ["région": "Île-de-France 🗼"]),
            Document(id: "d-\u{202E}rtl", text: "\u{FEFF}Fear\u{2028}and hope\u{0}after a NUL.", metadata: [:]),
        ]
        var stored = Document(id: "stored-1", text: "", metadata: [:])
        stored.textRef = try store.put(Array("Stored text: we hope it is read from the content store.".utf8)).description
        stored.textBytes = 56
        return [
            Case(name: "three documents", task: Self.task(plain, batch: 0)),
            Case(name: "an empty text", task: Self.task([Document(id: "empty", text: ""), plain[2]], batch: 1)),
            Case(name: "a 2 MiB text", task: Self.task([Document(id: "huge", text: huge)], batch: 2)),
            Case(name: "Unicode ids, text and metadata", task: Self.task(unicode, batch: 3)),
            Case(name: "a text in the content store", task: Self.task([stored], batch: 4), throughStore: true),
        ]
    }

    /// Every check, in order; a hang or a crash is a finding, never an error of the check.
    public func run() async -> [Finding] {
        let cases: [Case]
        do { cases = try self.cases() } catch { return [Finding(check: "set-up", violation: "the check's own set-up failed: \(error)", detail: "")] }
        var findings: [Finding] = []
        var outputs: [JSONValue?] = []
        for item in cases {
            let started = ContinuousClock.now
            var (finding, output) = await check(item)
            finding.detail += String(format: " (%.2f s)", (ContinuousClock.now - started) / .seconds(1))
            findings.append(finding)
            outputs.append(output)
        }
        // Repeating a task that already fails would only say so again.
        guard findings[0].passed, let first = outputs[0] else { return findings }
        findings.append(await repeatable(cases[0], first: first))
        findings.append(await hygiene(cases[0]))
        return findings
    }

    func handler() -> ExternalCommandHandler {
        ExternalCommandHandler(taskType: .analyseBatch, executable: executable, arguments: arguments, timeout: timeout)
    }

    /// One call, as an agent makes it, and its answer checked against the contract.
    func check(_ item: Case) async -> (Finding, JSONValue?) {
        let output: JSONValue
        do {
            if item.throughStore {
                output = try await ResolvingHandler(handler(), content: ContentResolver(store: store)).handle(item.task)
            } else {
                output = try await handler().handle(item.task)
            }
        } catch let failure as TaskFailure {
            return (Finding(check: item.name, violation: Self.explain(failure), detail: ""), nil)
        } catch {
            return (Finding(check: item.name, violation: "the call failed: \(error)", detail: ""), nil)
        }
        if let violation = Self.validate(output, for: item.task) { return (Finding(check: item.name, violation: violation, detail: ""), output) }
        let count = item.task.batchDocuments.count
        return (
            Finding(
                check: item.name, violation: nil, detail: "\(count) document\(count == 1 ? "" : "s") scored on \(Self.framework.dimensions.count) dimensions"),
            output
        )
    }

    /// What a failure means for the user's program, by the agent's failure codes.
    static func explain(_ failure: TaskFailure) -> String {
        switch failure.code {
        case "analyser_timeout": "did not finish within the timeout; an agent would kill it and retry: \(failure.message)"
        case "analyser_bad_output": "exited 0 but its standard output is not one JSON value (logs belong on stderr): \(failure.message)"
        case "analyser_rejected_input":
            "rejected a valid task as permanently bad (exit 65, which is for input that can never succeed): \(failure.message)"
        case "analyser_failed": "failed on a valid task (a non-zero exit is retried, and would fail again): \(failure.message)"
        case "analyser_not_started": "could not be started: \(failure.message)"
        default: "\(failure.code): \(failure.message)"
        }
    }
}

extension TaskMessage {
    var batchDocuments: [Document] {
        if case .analyseBatch(let payload) = payload { return payload.documents }
        return []
    }
}
