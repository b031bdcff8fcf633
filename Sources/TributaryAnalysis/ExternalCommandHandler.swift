import Foundation
import TributaryCore

/// Runs a user's program as the handler: the task message (JSON) on its standard input, the
/// task's result (JSON) expected on its standard output.
///
/// A non-zero exit, output that isn't JSON, or running past the timeout fails the task
/// with the program's standard error (its last 2,000 characters) in the reason. For
/// `analyse_batch` the output must have the shape of the built-in result
/// (`{"batch_index", "documents": [...]}`, see Docs/analysers.md) for the synthesis to use it.
public struct ExternalCommandHandler: TaskHandler {
    public let taskType: TaskType
    public let executable: String
    public let arguments: [String]
    public let timeout: Duration

    public init(taskType: TaskType, executable: String, arguments: [String] = [], timeout: Duration = .seconds(300)) {
        self.taskType = taskType
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-analyser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Files, not pipes: a program that writes a lot can't block on a full pipe while we wait for it.
        let input = directory.appendingPathComponent("input.json")
        let output = directory.appendingPathComponent("output.json")
        let errors = directory.appendingPathComponent("stderr.txt")
        try Data(try MessageCoding.encode(task)).write(to: input)
        for file in [output, errors] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            exited.continuation.yield($0.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            throw TaskFailure(code: "analyser_not_started", message: "could not start \(executable): \(error)")
        }

        let status: Int32? = await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await exited.stream.first { _ in true } ?? -1 }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        func stderrTail() -> String {
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            return text.isEmpty ? "(no stderr)" : String(text.suffix(2000)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let status else {
            kill(process.processIdentifier, SIGKILL)
            throw TaskFailure(code: "analyser_timeout", message: "\(executable) did not finish within \(timeout); stderr: \(stderrTail())")
        }
        guard status == 0 else {
            throw TaskFailure(code: "analyser_failed", message: "\(executable) exited with status \(status); stderr: \(stderrTail())")
        }
        do {
            return try MessageCoding.decode(JSONValue.self, from: Array(try Data(contentsOf: output)))
        } catch {
            throw TaskFailure(code: "analyser_bad_output", message: "\(executable) did not print JSON (\(error)); stderr: \(stderrTail())")
        }
    }
}
