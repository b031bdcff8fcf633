import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The side a child process plays in ``KitIsolationTests``; nil in the parent.
enum KitIsolationChild {
    static let role = ProcessInfo.processInfo.environment["TRIBUTARY_KIT_ISOLATION_ROLE"]
    static let directory = ProcessInfo.processInfo.environment["TRIBUTARY_KIT_ISOLATION_DIR"] ?? ""
    static let marker = "kit-isolation namespace: "
}

/// Two test processes using the kit at once on one broker. Each runs a pipeline and submits
/// experiments with the same ids as the other's, but of another size: if either saw the
/// other's messages, its counts, its documents or the events it hears would show it.
@Suite(TestBroker.required) struct KitIsolationTests {
    @Test(.enabled(if: KitIsolationChild.role == nil)) func twoTestProcessesOnOneBrokerDoNotSeeEachOthersMessages() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kit-isolation-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let children = try ["a", "b"].map { role in
            try ServiceProcess(
                executable: binary, arguments: ["--testing-library", "swift-testing", "--filter", "oneSideOfTwoTestProcesses"],
                name: "kit-child-\(role)", logDirectory: directory,
                environment: ProcessInfo.processInfo.environment.merging([
                    "TRIBUTARY_KIT_ISOLATION_ROLE": role, "TRIBUTARY_KIT_ISOLATION_DIR": directory,
                ]) { $1 })
        }
        var namespaces: [String] = []
        for child in children {
            let status = try await child.waitForExit(within: .seconds(240))
            #expect(status == 0, "\(child.name) failed:\n\(child.log.suffix(6000))")
            let line = child.log.split(separator: "\n").first { $0.contains(KitIsolationChild.marker) }
            let namespace = try #require(line.map { String($0.split(separator: " ").last ?? "") }, "\(child.name) ran no pipeline:\n\(child.log)")
            namespaces.append(namespace)
        }
        #expect(Set(namespaces).count == 2)
        // Both cleaned up after themselves: no queue of either namespace is left. Declaring an
        // exclusive classic queue under a name succeeds only if no queue holds it.
        let connection = try await AMQPConnection.connect(try AMQPConfiguration(url: try TestBroker.requireURL()))
        defer { Task { await connection.close() } }
        for namespace in namespaces {
            let queue = Topology(namespace: namespace).taskQueue(.analyseBatch)
            let left = await (try? connection.declare(QueueDeclaration(name: queue, durable: false, exclusive: true, autoDelete: true))) == nil
            #expect(!left, "\(queue) was left behind")
        }
    }

    /// One child's side; runs only in a child process the test above started.
    @Test(.enabled(if: KitIsolationChild.role != nil)) func oneSideOfTwoTestProcesses() async throws {
        let role = try #require(KitIsolationChild.role)
        let other = role == "a" ? "b" : "a"
        let documents = role == "a" ? 3 : 5
        try await withTestPipeline(configuration: kitConfiguration()) { pipeline in
            print("\(KitIsolationChild.marker)\(pipeline.topology.namespace)")
            try await pipeline.start()
            let everything = try await pipeline.client.followAll()
            // Both pipelines are up before either submits, and both stay up until both are done.
            try await Self.meet("\(role).ready", "\(other).ready")
            let ids = ["shared-0", "shared-1"]
            for id in ids {
                let outcome = try await pipeline.client.submit(Corpus.spec(name: "side-\(role)", documents: documents, batchSize: 1), experimentID: id)
                    .outcome(within: .seconds(60))
                #expect(outcome.state == .completed, "\(outcome.error ?? "")")
                #expect(outcome.batchCount == documents && outcome.batchesCompleted == documents)
                #expect(outcome.synthesisRequests == 1)
                let report = try #require(outcome.report?["report"])
                #expect(report["document_count"]?.number == Double(documents))
                try expectEveryDocumentOnce(outcome, documents: documents)
            }
            // Every event heard on this namespace is about this side's experiments, at this side's size.
            try await withDeadline(.seconds(30), "the completed events of \(ids)") {
                var completed: Set<String> = []
                while completed.count < ids.count, let event = try await everything.nextEvent() {
                    #expect(ids.contains(event.experimentID) && event.name == "side-\(role)", "heard \(event.experimentID) \(event.name)")
                    #expect(event.batchCount == 0 || event.batchCount == documents, "heard a batch count of \(event.batchCount)")
                    if event.state == .completed { completed.insert(event.experimentID) }
                }
            }
            try await Self.meet("\(role).done", "\(other).done")
        }
    }

    func kitConfiguration() throws -> TestPipeline.Configuration {
        var configuration = TestPipeline.Configuration()
        configuration.brokerURL = try TestBroker.requireURL()
        configuration.analysers = 1
        return configuration
    }

    /// Leaves `mine` in the shared folder and waits, bounded, for the other side's `theirs`.
    static func meet(_ mine: String, _ theirs: String) async throws {
        FileManager.default.createFile(atPath: "\(KitIsolationChild.directory)/\(mine)", contents: nil)
        try await eventually(within: .seconds(90), "the other test process to reach \(theirs)") {
            FileManager.default.fileExists(atPath: "\(KitIsolationChild.directory)/\(theirs)")
        }
    }
}
