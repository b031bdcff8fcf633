import Foundation
import Subprocess
import Synchronization
import TributaryCore

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs a user's program as the handler: the task message (JSON) on its standard input, the
/// task's result (JSON) expected on its standard output.
///
/// Exit codes: 0 is success; 65 (`EX_DATAERR`) is a permanent failure (the input is wrong,
/// retrying can't help); any other exit, a signal, or running past the timeout is a
/// transient failure. Every failure carries the program's standard error (its last 2,000
/// bytes). For `analyse_batch` the output must have the shape of the built-in result
/// (`{"batch_index", "documents": [...]}`, see Docs/analysers.md) for the synthesis to use it.
///
/// The program runs in a process group of its own. On timeout (or cancellation) the whole
/// group gets SIGTERM, then SIGKILL after ``terminationGracePeriod``, so children it started
/// (a shell script's `sleep`, a model server it forked) die with it; after every call the
/// group is killed once more for descendants that outlived their parent. The input is a
/// nameless file and the outputs are pipes, all closed and the child reaped on every path,
/// so an agent runs any number of calls in flat resources.
public struct ExternalCommandHandler: TaskHandler {
    public let taskType: TaskType
    public let executable: String
    public let arguments: [String]
    public let timeout: Duration
    /// How long the program's process group gets between SIGTERM and SIGKILL.
    public var terminationGracePeriod: Duration = .seconds(2)
    /// The largest standard output accepted; more fails the task.
    public var maximumOutputBytes = 256 << 20
    /// Variables set for the program on top of the agent's own environment, which it inherits.
    public var extraEnvironment: [String: String] = [:]

    /// The exit status that marks a failure as permanent (`EX_DATAERR` from sysexits.h).
    public static let permanentFailureStatus: Int32 = 65
    static let stderrTailBytes = 2_000

    public init(taskType: TaskType, executable: String, arguments: [String] = [], timeout: Duration = .seconds(300)) {
        self.taskType = taskType
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    public func handle(_ task: TaskMessage) async throws -> JSONValue {
        let input = try Self.inputFile(MessageCoding.encode(task))
        let options = platformOptions
        let executable = executable
        let arguments = arguments
        let limit = maximumOutputBytes
        let environment = Environment.inherit.updating(
            Dictionary(uniqueKeysWithValues: extraEnvironment.map { (Environment.Key(stringLiteral: $0.key), Optional($0.value)) }))
        let stderrTail = StderrTail()
        let timeout = timeout

        let outcome: Outcome
        do {
            outcome = try await withTimeout(
                timeout,
                orThrow: TaskFailure(code: "analyser_timeout", message: "\(executable) did not finish within \(timeout); stderr: \(stderrTail.text)")
            ) {
                let group = ProcessGroupReaper()
                defer { group.killRemaining() }
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), environment: environment, platformOptions: options,
                    input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .bytes(limit: limit), error: .sequence
                ) { execution in
                    group.leader = execution.processIdentifier.value
                    // Read all of it, so the program never blocks on a full pipe; keep the end.
                    for try await buffer in execution.standardError { buffer.withUnsafeBytes { stderrTail.append($0) } }
                }
                return Outcome(status: result.terminationStatus, output: result.standardOutput)
            }
        } catch let failure as TaskFailure {
            throw failure
        } catch let error as SubprocessError {
            throw TaskFailure(code: "analyser_not_started", message: "could not run \(executable): \(error); stderr: \(stderrTail.text)")
        }

        let stderr = stderrTail.text
        switch outcome.status {
        case .exited(0):
            do {
                return try MessageCoding.decode(JSONValue.self, from: outcome.output)
            } catch {
                throw TaskFailure(code: "analyser_bad_output", message: "\(executable) did not print JSON (\(error)); stderr: \(stderr)")
            }
        case .exited(Self.permanentFailureStatus):
            throw TaskFailure(code: "analyser_rejected_input", message: "\(executable) exited with status 65 (EX_DATAERR); stderr: \(stderr)", permanent: true)
        case .exited(let status):
            throw TaskFailure(code: "analyser_failed", message: "\(executable) exited with status \(status); stderr: \(stderr)")
        case .signaled(let signal):
            throw TaskFailure(code: "analyser_failed", message: "\(executable) was killed by signal \(signal); stderr: \(stderr)")
        }
    }

    /// The task as the program's standard input: a nameless temporary file, not a pipe.
    /// A program may exit without reading its input; writing into a pipe it closed fails
    /// (EPIPE, or SIGPIPE), while a file is simply left unread. The file is unlinked as soon
    /// as it is created, so nothing is left behind even by a crash, and its descriptor is
    /// closed once the program has started.
    private static func inputFile(_ bytes: [UInt8]) throws -> FileDescriptor {
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("tributary-task-XXXXXX").path.utf8CString)
        let raw = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard raw >= 0 else { throw TaskFailure(code: "analyser_not_started", message: "could not create the analyser's input file: errno \(errno)") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        _ = fcntl(raw, F_SETFD, FD_CLOEXEC)
        let file = FileDescriptor(rawValue: raw)
        do {
            _ = try file.writeAll(bytes)
            _ = try file.seek(offset: 0, from: FileDescriptor.SeekOrigin.start)
        } catch {
            try? file.close()
            throw TaskFailure(code: "analyser_not_started", message: "could not write the analyser's input: \(error)")
        }
        return file
    }

    private var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.processGroupID = 0  // a group of its own, led by the program
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGracePeriod)]
        return options
    }

    private struct Outcome: Sendable {
        var status: TerminationStatus
        var output: [UInt8]
    }
}

/// The last bytes a program wrote to its standard error, readable while it still runs (for
/// the timeout's reason).
private final class StderrTail: Sendable {
    private let bytes = Mutex<[UInt8]>([])

    func append(_ chunk: UnsafeRawBufferPointer) {
        bytes.withLock { tail in
            tail.append(contentsOf: chunk)
            let keep = ExternalCommandHandler.stderrTailBytes
            if tail.count > 2 * keep { tail.removeFirst(tail.count - keep) }
        }
    }

    var text: String {
        let tail = bytes.withLock { Array($0.suffix(ExternalCommandHandler.stderrTailBytes)) }
        let text = String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no stderr)" : text
    }
}

/// Kills what is left of a finished program's process group: descendants that outlived it.
private final class ProcessGroupReaper: @unchecked Sendable {
    // Written once, by the run's body, before anything reads it.
    var leader: pid_t = 0

    func killRemaining() {
        // The group exists only while a member lives; ESRCH (none left) is the usual answer.
        if leader > 0 { kill(-leader, SIGKILL) }
    }
}
