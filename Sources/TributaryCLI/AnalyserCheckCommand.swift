import ArgumentParser
import Foundation
import TributaryAnalysis
import TributaryContentStore

/// `tributary analyser-check`: an external analyser through the task shapes an agent sends
/// it, run as an agent runs it, with a line per check and a non-zero exit on any violation.
struct AnalyserCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyser-check",
        abstract: "Run an external analyser through the contract's task shapes, as an agent runs it, and report what does not conform.",
        discussion: """
            Sends the program analyse_batch tasks (plain documents, an empty text, a 2 MiB text, \
            Unicode ids, text and metadata, a text from the content store) through the agent's own \
            handler, and checks each answer's shape against the contract (Docs/analysers.md), \
            the exit status (0 for a result; 65 only for input that can never succeed), the time \
            limit, and that twenty calls leave no process or descriptor behind. Failures quote \
            the program's standard error. Exits 0 when every check passes, 1 on any violation. \
            Everything after --command is the program and its arguments.
            """)

    @Option(help: "Each call's limit in seconds, as --analyser-timeout sets it for an agent.")
    var timeout: Double = 30

    @Option(help: "The analyser program: a path, or a name looked up in $PATH.")
    var command: String

    @Argument(parsing: .captureForPassthrough, help: "The program's arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        guard let executable = Self.locate(command) else { throw ValidationError("--command: '\(command)' is not an executable file, nor one in $PATH") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-analyser-check-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let check = AnalyserConformance(
            executable: executable, arguments: arguments, timeout: .milliseconds(Int64(timeout * 1_000)), store: ContentStore(root: folder))
        print("analyser-check: \(([executable] + arguments).joined(separator: " "))")
        let findings = await check.run()
        for finding in findings {
            if let violation = finding.violation {
                print("  FAIL  \(finding.check): \(violation)")
            } else {
                print("  ok    \(finding.check): \(finding.detail.trimmingCharacters(in: .whitespaces))")
            }
        }
        let failed = findings.filter { !$0.passed }.count
        guard failed == 0 else {
            print("analyser-check: \(failed) of \(findings.count) checks failed")
            throw ExitCode(1)
        }
        print("analyser-check: all \(findings.count) checks passed")
    }

    static func locate(_ command: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(command)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
