import Foundation
import Testing
import TributaryCore
import TributaryTestSupport
import TributaryTesting

@testable import TributaryAnalysis

@Suite struct ExternalCommandHandlerTests {
    static let example = Repository.root.appendingPathComponent("Deploy/analysers/phrase_counter.py").path

    let task = TaskMessage(
        experimentID: "e", batchIndex: 3, batchCount: 4,
        payload: .analyseBatch(
            BatchPayload(
                framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])]),
                documents: [Document(id: "a", text: "Hope is here. No hope there."), Document(id: "b", text: "Nothing.")])))

    func script(_ body: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("analyser-\(UUID().uuidString).sh").path
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func bundledExampleFollowsTheContract() async throws {
        let output = try await ExternalCommandHandler(taskType: .analyseBatch, executable: Self.example).handle(task)
        let batch = try MessageCoding.decode(BatchAnalysis.self, from: MessageCoding.encode(output))
        #expect(batch.batchIndex == 3)
        #expect(batch.documents.map(\.id) == ["a", "b"])
        #expect(batch.documents[0].scores["hope"]?.raisesHits == 2)
        #expect(batch.documents[0].scores["hope"]?.evidence.first?.sentence == "Hope is here.")
    }

    @Test func failureCarriesStatusAndStderr() async throws {
        let path = try script("echo 'model quota exceeded' >&2\nexit 3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path).handle(task)
        }
        #expect(failure?.code == "analyser_failed")
        #expect(failure?.message.contains("status 3") == true)
        #expect(failure?.message.contains("model quota exceeded") == true)
    }

    @Test func timeoutKillsTheProgram() async throws {
        let path = try script("echo started >&2\nexec sleep 300")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ContinuousClock()
        let start = clock.now
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path, timeout: .milliseconds(500)).handle(task)
        }
        #expect(failure?.code == "analyser_timeout")
        #expect(failure?.message.contains("started") == true)
        // Far under the program's 300 s sleep, with room for a loaded machine (the suites run in
        // parallel): the bound tells a killed program from one that was waited for.
        #expect(clock.now - start < .seconds(60))
    }

    @Test func outputThatIsNotJSONFails() async throws {
        let path = try script("cat > /dev/null\necho 'not json'")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path).handle(task)
        }
        #expect(failure?.code == "analyser_bad_output")
    }

    @Test func exitStatus65IsAPermanentFailureAndOthersAreTransient() async throws {
        let rejecting = try script("echo 'document 7 is not UTF-8' >&2\nexit 65")
        let crashing = try script("kill -SEGV $$")
        defer { for path in [rejecting, crashing] { try? FileManager.default.removeItem(atPath: path) } }
        let permanent = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: rejecting).handle(task)
        }
        #expect(permanent?.permanent == true)
        #expect(permanent?.message.contains("document 7 is not UTF-8") == true)
        let transient = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: crashing).handle(task)
        }
        #expect(transient?.permanent == false)
        #expect(transient?.message.contains("signal 11") == true, "\(transient?.message ?? "")")
    }

    /// The timeout ends the program's whole process group, not only the program: a shell
    /// script's `sleep` used to live on.
    @Test func timeoutKillsTheProgramsChildrenToo() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).pid").path
        let path = try script("sleep 60 &\necho $! > \(pidFile)\nwait")
        defer { for file in [path, pidFile] { try? FileManager.default.removeItem(atPath: file) } }
        let failure = await #expect(throws: TaskFailure.self) {
            _ = try await ExternalCommandHandler(taskType: .analyseBatch, executable: path, timeout: .milliseconds(500)).handle(task)
        }
        #expect(failure?.code == "analyser_timeout")
        let child = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await ProcessTable.waitUntilGone(child)
    }

    /// A program that exits and leaves a background child behind: the child is killed too.
    @Test func descendantsThatOutliveTheProgramAreKilled() async throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("orphan-\(UUID().uuidString).pid").path
        let path = try script("cat > /dev/null\nsleep 60 > /dev/null 2>&1 &\necho $! > \(pidFile)\necho '{}'")
        defer { for file in [path, pidFile] { try? FileManager.default.removeItem(atPath: file) } }
        #expect(try await ExternalCommandHandler(taskType: .analyseBatch, executable: path).handle(task) == .object([:]))
        let orphan = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await ProcessTable.waitUntilGone(orphan)
    }

    /// Thousands of calls, eight at a time, with a large inherited environment (which used to
    /// crash `Process.run`): descriptors, child processes and memory stay flat.
    @Test func thousandsOfCallsRunInFlatResources() async throws {
        // Not setenv: changing this process's environment while other tests spawn processes is undefined behaviour.
        var padded = ExternalCommandHandler(taskType: .analyseBatch, executable: "/bin/cat")
        for index in 0..<200 { padded.extraEnvironment["TRIBUTARY_TEST_PADDING_\(index)"] = String(repeating: "p", count: 1_000) }
        let task = task
        let handler = padded
        func round(_ calls: Int) async throws {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for call in 0..<calls {
                    if call >= 8 { try await group.next() }
                    group.addTask {
                        let echoed = try await handler.handle(task)
                        #expect(echoed["task_id"] == .string(task.taskID))
                    }
                }
                try await group.waitForAll()
            }
        }
        try await round(200)  // warm up: caches, thread pools
        let descriptors = ProcessTable.openDescriptors()
        let memory = ProcessTable.residentBytes()
        try await round(2_000)
        // Other suites run beside this one in the same process and open descriptors and
        // memory of their own, so the margins are wide; a leak per call would still show, as
        // 2,000 descriptors, or 400 MiB for the 200 kB environment.
        #expect(ProcessTable.openDescriptors() <= descriptors + 500, "descriptors grew from \(descriptors) to \(ProcessTable.openDescriptors())")
        // Only this test's analysers: suites running beside it start services of their own.
        #expect(ProcessTable.children(named: "cat").isEmpty, "analyser processes left: \(ProcessTable.children(named: "cat"))")
        let grown = ProcessTable.residentBytes() - memory
        #expect(grown < 256 << 20, "resident memory grew by \(grown >> 20) MiB over 2,000 calls")
    }
}

/// What this test process holds, read from /proc.
enum ProcessTable {
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kilobytes * 1_024
    }

    /// Live (not zombie) processes named `command` whose parent is this process.
    static func children(named command: String) -> [pid_t] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { pid in
            guard let (state, parent) = stat(pid), parent == me, state != "Z" else { return false }
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            return name == command
        }
    }

    /// A process counts as gone once it no longer exists or is a zombie awaiting its reaper.
    static func waitUntilGone(_ pid: pid_t, within limit: Duration = .seconds(10)) async throws {
        try await withDeadline(limit, "process \(pid) to end") {
            while let (state, _) = stat(pid), state != "Z" { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    private static func stat(_ pid: pid_t) -> (state: Character, parent: pid_t)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 1, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return (state, parent)
    }
}
