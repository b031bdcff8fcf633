import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

@Suite(.serialized, TestBroker.required) struct PipelineEndToEndTests {
    @Test func concurrentExperimentsEachCompleteWithExactlyOneSynthesis() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 3)
            let shapes: [(documents: Int, batchSize: Int)] = [(7, 2), (40, 3), (1, 5), (25, 1)]
            let outcomes = try await withThrowingTaskGroup(of: (Int, ExperimentStatus).self) { group in
                for (index, shape) in shapes.enumerated() {
                    group.addTask {
                        let spec = Corpus.spec(name: "exp\(index)", documents: shape.documents, batchSize: shape.batchSize)
                        let subscription = try await harness.client.submit(spec)
                        return (index, try await subscription.outcome(within: .seconds(90)))
                    }
                }
                var outcomes: [Int: ExperimentStatus] = [:]
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            for (index, shape) in shapes.enumerated() {
                let outcome = try #require(outcomes[index])
                let batches = (shape.documents + shape.batchSize - 1) / shape.batchSize
                #expect(outcome.state == .completed, "exp\(index): \(outcome.error ?? "")\n\(harness.logs)")
                #expect(outcome.batchCount == batches)
                #expect(outcome.batchesCompleted == batches)
                #expect(outcome.synthesisRequests == 1)
                let report = try #require(outcome.report?["report"])
                #expect(report["document_count"]?.number == Double(shape.documents))
                #expect(report["batch_count"]?.number == Double(batches))
                #expect(report["total_words"]?.number == Double(shape.documents * 5))
                try expectEveryDocumentOnce(outcome, documents: shape.documents)
            }
            // Graceful shutdown: every service stops on SIGTERM and exits 0.
            let statuses = try await harness.stopAll()
            #expect(statuses.count == 6)
            #expect(statuses.values.allSatisfy { $0 == 0 }, "exit statuses \(statuses)\n\(harness.logs)")
        }
    }

    @Test func orchestratorKilledMidFanInStillSynthesisesExactlyOnce() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 2, analyserConcurrency: 4)
            let documents = 300
            let subscription = try await harness.client.submit(Corpus.spec(name: "crash", documents: documents, batchSize: 1))
            // Watch progress through the client, and crash the orchestrator in the middle of the fan-in.
            let progress = try await withDeadline(.seconds(60), "the fan-in to start") {
                while let event = try await subscription.nextEvent() {
                    if event.state == .analysing, event.batchesCompleted >= 1 { return event }
                }
                throw HarnessError("events ended before the fan-in started")
            }
            #expect(progress.batchesCompleted < documents, "fan-in had already finished; the crash would prove nothing")
            try await harness.orchestrator?.crash()
            print("orchestrator killed with SIGKILL at \(progress.batchesCompleted)/\(documents) batches; restarting it")
            let restarted = try harness.startOrchestrator()

            let outcome = try await subscription.outcome(within: .seconds(120))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")\n\(harness.logs)")
            #expect(outcome.batchCount == documents)
            #expect(outcome.batchesCompleted == documents)
            #expect(outcome.synthesisRequests == 1)
            let report = try #require(outcome.report?["report"])
            #expect(report["batch_count"]?.number == Double(documents))
            #expect(report["document_count"]?.number == Double(documents))
            try expectEveryDocumentOnce(outcome, documents: documents)
            // The status the orchestrator reports after the restart agrees.
            let status = try await harness.client.status(experimentID: subscription.experimentID)
            #expect(status?.state == .completed)
            #expect(status?.synthesisRequests == 1)
            // The restarted process did real work: it recovered the outbox or consumed results.
            #expect(restarted.log.contains("orchestrator ready"), "\(restarted.log)")
            print(restarted.log.split(separator: "\n").filter { $0.contains("re-publishing") || $0.contains("ignored") }.prefix(5).joined(separator: "\n"))
        }
    }

    @Test func invalidExperimentFailsWithEveryReasonAndFansNothingOut() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1)
            var spec = Corpus.spec(name: "bad", documents: 4, batchSize: 2)
            spec.documents[1].id = spec.documents[0].id
            spec.documents[2].text = "   "
            let outcome = try await harness.client.submit(spec).outcome(within: .seconds(60))
            #expect(outcome.state == .failed)
            #expect(outcome.error?.contains("is used twice") == true, "\(outcome.error ?? "")")
            #expect(outcome.error?.contains("has no text") == true, "\(outcome.error ?? "")")
            #expect(outcome.batchCount == 0)
        }
    }

    @Test func malformedMessagesAreDeadLetteredWithTheReasonAndOtherWorkProceeds() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1)
            let topology = harness.topology
            try await harness.connection.publish(
                Array("{not json".utf8), exchange: topology.experimentsExchange, routingKey: Topology.submitRoutingKey,
                properties: AMQPProperties(messageID: "garbage-request"))
            try await harness.connection.publish(
                Array(#"{"schema_version":99,"experiment_id":"future"}"#.utf8), exchange: topology.experimentsExchange,
                routingKey: Topology.submitRoutingKey, properties: AMQPProperties(messageID: "future-request"))
            try await harness.connection.publish(
                Array("[]".utf8), exchange: topology.tasksExchange, routingKey: TaskType.analyseBatch.rawValue,
                properties: AMQPProperties(messageID: "garbage-task"))
            // A well-formed request whose id would make over-long message ids and routing keys.
            let longID = String(repeating: "x", count: 250)
            try await harness.connection.publish(
                try MessageCoding.encode(
                    ExperimentRequest(experimentID: longID, submittedAt: Date(), experiment: Corpus.spec(name: "long", documents: 2, batchSize: 1))),
                exchange: topology.experimentsExchange, routingKey: Topology.submitRoutingKey, properties: AMQPProperties(messageID: "long-id-request"))
            let longTask = TaskMessage(
                experimentID: longID, batchIndex: 0, batchCount: 1,
                payload: .analyseBatch(BatchPayload(framework: Corpus.framework, documents: [Document(id: "d", text: "hope")])))
            try await harness.connection.publish(
                try MessageCoding.encode(longTask), exchange: topology.tasksExchange, routingKey: TaskType.analyseBatch.rawValue,
                properties: AMQPProperties(messageID: "long-id-task"))

            let outcome = try await harness.client.submit(Corpus.spec(name: "fine", documents: 5, batchSize: 2)).outcome(within: .seconds(60))
            #expect(outcome.state == .completed)

            let deadLetters = try await harness.connection.consume(queue: topology.deadLetterQueue, prefetch: 10)
            let reasons = try await withDeadline(.seconds(30), "five dead letters") {
                var iterator = deadLetters.makeAsyncIterator()
                var collected: [String: String] = [:]
                while collected.count < 5, let delivery = try await iterator.next() {
                    collected[delivery.properties.messageID ?? "?"] = delivery.properties.headers?["x-tributary-rejection-reason"]?.stringValue
                    try delivery.ack()
                }
                return collected
            }
            #expect(reasons["garbage-request"]?.contains("malformed") == true, "\(reasons)")
            #expect(reasons["future-request"]?.contains("unsupported_schema_version") == true, "\(reasons)")
            #expect(reasons["garbage-task"]?.contains("malformed") == true, "\(reasons)")
            #expect(reasons["long-id-request"]?.contains("invalid_identifier") == true, "\(reasons)")
            #expect(reasons["long-id-task"]?.contains("invalid_identifier") == true, "\(reasons)")
            for process in harness.processes {
                #expect(process.isRunning, "\(process.name) died on bad input")
                #expect(!process.log.contains("connection lost"), "\(process.name) lost its connection over bad input")
            }
        }
    }

    /// With `--log-format json`, every line every service writes is one JSON object with the
    /// level, timestamp, message and `tributary.` metadata keys; the broker password is never
    /// in a log line, nor in `--help` when it comes from the environment.
    @Test func jsonLogsAreOneObjectPerLineAndNeverShowThePassword() async throws {
        try await withPipeline { harness in
            harness.serviceArguments = ["--log-format", "json", "--log-level", "debug"]
            // With the HTTP endpoint on and a trace exporter whose collector is down: its
            // token must not leak into the failures it logs either.
            let token = "tok-\(UInt32.random(in: 0...UInt32.max))"
            harness.serviceEnvironment = [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(try freePort())", "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer \(token)",
                "OTEL_BSP_SCHEDULE_DELAY": "50",
            ]
            try harness.startPipeline(analysers: 1)
            let outcome = try await harness.client.submit(Corpus.spec(name: "logs", documents: 4, batchSize: 2)).outcome(within: .seconds(60))
            #expect(outcome.state == .completed)
            _ = try await harness.stopAll()
            let password = try AMQPConfiguration(url: harness.brokerURL).password
            var keys: Set<String> = []
            for process in harness.processes where !process.name.hasPrefix("tributary") {
                let lines = process.log.split(separator: "\n")
                #expect(!lines.isEmpty, "\(process.name) logged nothing")
                for line in lines {
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    #expect(object?["level"] != nil && object?["timestamp"] != nil && object?["message"] != nil, "\(process.name): \(line)")
                    keys.formUnion(object?.keys.map { $0 } ?? [])
                    #expect(!line.contains(":\(password)@"), "\(process.name) logged the password: \(line)")
                    #expect(!line.contains(token), "\(process.name) logged the exporter's token: \(line)")
                }
            }
            #expect(keys.isSuperset(of: ["tributary.worker_id", "tributary.experiment_id", "tributary.task_id", "tributary.event"]), "\(keys.sorted())")

            let secret = "s3cret-\(UInt32.random(in: 0...UInt32.max))"
            let help = Process()
            help.executableURL = URL(fileURLWithPath: "\(PipelineHarness.binDirectory)/orchestrator")
            help.arguments = ["--help"]
            help.environment = ["AMQP_URL": "amqp://user:\(secret)@broker.example:5672/%2F", "TRIBUTARY_LOG_FORMAT": "json"]
            let output = Pipe()
            help.standardOutput = output
            help.standardError = output
            try help.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            help.waitUntilExit()
            #expect(text.contains("--log-format") && !text.contains(secret), "\(text)")
        }
    }

    /// The operator's commands, through the real CLI: submit and wait with JSON output, list,
    /// watch, and dead letters listed, shown and replayed to their source queue.
    @Test func operatorCommandsListWatchAndReplayDeadLetters() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1)
            let watch = try harness.runClient(["watch", "--json"])
            let specPath = "\(harness.directory)/ops.json"
            try Data(try MessageCoding.encode(Corpus.spec(name: "ops", documents: 4, batchSize: 2))).write(to: URL(fileURLWithPath: specPath))
            let id = "ops-\(UInt32.random(in: 0...UInt32.max))"
            let submit = try harness.runClient(["submit", specPath, "--experiment-id", id, "--wait", "--json", "--quiet", "--timeout", "60"])
            #expect(try await submit.waitForExit(within: .seconds(90)) == 0, "\(submit.log)")
            let final = try #require(submit.log.split(separator: "\n").last { $0.hasPrefix("{") })
            let outcome = try MessageCoding.decode(ExperimentStatus.self, from: Array(final.utf8))
            #expect(outcome.experimentID == id && outcome.state == .completed)

            let list = try harness.runClient(["list", "--state", "completed", "--json"])
            #expect(try await list.waitForExit(within: .seconds(30)) == 0)
            let listed = try MessageCoding.decode([ExperimentStatus].self, from: Array((list.log.split(separator: "\n").last { $0.hasPrefix("[") } ?? "").utf8))
            #expect(listed.map(\.experimentID) == [id])

            try await eventually(within: .seconds(10), "watch to print the completed event") {
                watch.log.contains(id) && watch.log.contains(#""state":"completed""#)
            }
            _ = try await watch.terminate()

            // A valid request that was dead-lettered (as if refused while its producer was misconfigured).
            let replayed = "replayed-\(UInt32.random(in: 0...UInt32.max))"
            try await harness.deadLetterRequest(replayed)
            let listing = try harness.runClient(["dead-letters", "list", "--reason", "malformed", "--json"])
            #expect(try await listing.waitForExit(within: .seconds(30)) == 0)
            #expect(listing.log.contains(replayed) && listing.log.contains(#""reason":"malformed: refused while misconfigured""#), "\(listing.log)")
            let show = try harness.runClient(["dead-letters", "show", replayed])
            #expect(try await show.waitForExit(within: .seconds(30)) == 0)
            #expect(show.log.contains("from \(harness.topology.requestsQueue)") && show.log.contains(#""experiment_id":"\#(replayed)""#), "\(show.log)")

            let followed = try await harness.client.follow(experimentID: replayed)
            let replay = try harness.runClient(["dead-letters", "replay", replayed])
            #expect(try await replay.waitForExit(within: .seconds(30)) == 0, "\(replay.log)")
            #expect(replay.log.contains("replayed 1 dead letter(s)"))
            #expect(try await followed.outcome(within: .seconds(60)).state == .completed)
            #expect(try await harness.client.deadLetters().contains { $0.messageID == replayed } == false)
        }
    }

    @Test func externalAnalyserReplacesTheBuiltInOne() async throws {
        try await withPipeline { harness in
            let script = Repository.path("Deploy/analysers/phrase_counter.py")
            try harness.startPipeline(analysers: 2, analyserArguments: ["--analyser-command", script])
            let outcome = try await harness.client.submit(Corpus.spec(name: "external", documents: 9, batchSize: 2)).outcome(within: .seconds(90))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")\n\(harness.logs)")
            let report = try #require(outcome.report?["report"])
            #expect(report["document_count"]?.number == 9)
            try expectEveryDocumentOnce(outcome, documents: 9)
        }
    }

    /// The command users run: `tributary submit FOLDER --wait --out DIR` on the bundled sample.
    @Test func commandLineSubmitWritesTheReportAndReportsFailures() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 2)
            let root = Repository.root
            let out = "\(harness.directory)/report"
            let cli = try harness.runClient([
                "submit", root.appendingPathComponent("Deploy/sample/hope-and-fear").path, "--wait", "--timeout", "60", "--out", out,
            ])
            #expect(try await cli.waitForExit(within: .seconds(90)) == 0, "\(cli.log)")
            let markdown = try String(contentsOfFile: "\(out)/report.md", encoding: .utf8)
            #expect(markdown.contains("## Groups by `setting`"))
            #expect(try String(contentsOfFile: "\(out)/scores.csv", encoding: .utf8).split(separator: "\n").count == 17)
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/report.json"))) as? [String: Any]
            #expect(json?["document_count"] as? Int == 16)

            // A broken folder is refused before anything is sent, naming the file.
            let broken = try harness.runClient(["submit", "\(harness.directory)/no-such-experiment", "--wait"])
            #expect(try await broken.waitForExit(within: .seconds(30)) != 0)
            #expect(broken.log.contains("no-such-experiment: no such file or folder"), "\(broken.log)")

            // An experiment the pre-test rejects makes `--wait` exit 1 with the reason.
            let invalid = "\(harness.directory)/invalid"
            try FileManager.default.copyItem(atPath: root.appendingPathComponent("Deploy/sample/hope-and-fear").path, toPath: invalid)
            try "documents:\n  - id: a\n    file: texts/speech-01.txt\n  - id: a\n    file: texts/speech-02.txt\n"
                .write(toFile: "\(invalid)/corpus/manifest.yaml", atomically: true, encoding: .utf8)
            let rejected = try harness.runClient(["submit", invalid, "--wait", "--timeout", "60"])
            #expect(try await rejected.waitForExit(within: .seconds(90)) == 1, "\(rejected.log)")
            #expect(rejected.log.contains("document id 'a' is used twice"), "\(rejected.log)")
        }
    }
}
