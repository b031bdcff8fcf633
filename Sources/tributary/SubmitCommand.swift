import AMQP
import ArgumentParser
import Foundation
import TributaryCommandLine
import TributaryCore
import TributaryServices

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit an experiment (a JSON experiment spec) and optionally wait for its outcome.",
        discussion: "With --wait, exits 0 when the experiment completes, 1 when it fails (the reason is printed), 2 on timeout.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Path of the experiment spec (JSON: name, framework, documents, batch_size, ...).")
    var experiment: String

    @Flag(help: "Wait for the experiment to complete or fail, printing progress.")
    var wait = false

    @Option(help: "Seconds to wait with --wait.")
    var timeout: Int = 600

    @Option(help: "With --wait, write the final report (JSON) to this file.")
    var reportOut: String?

    func run() async throws {
        let spec = try loadSpec()
        let amqp = try await AMQPConnection.connect(connection.amqpConfiguration(connectionName: "tributary-cli"), logger: connection.logger("tributary.client"))
        defer { Task { await amqp.close() } }
        let client = TributaryClient(connection: amqp, topology: connection.topology)
        try await client.prepare()
        let subscription = try await client.submit(spec)
        print("submitted experiment \(subscription.experimentID) (\(spec.documents.count) documents)")
        guard wait else { return }
        let outcome: ExperimentStatusEvent
        do {
            outcome = try await subscription.outcome(within: .seconds(timeout))
        } catch let error as TributaryClientError {
            print("error: \(error)")
            throw ExitCode(2)
        }
        switch outcome.state {
        case .completed:
            print("completed: \(outcome.batchCount) batches, \(outcome.duplicatesIgnored) duplicate results ignored")
            if let report = outcome.report {
                let bytes = try MessageCoding.encode(report)
                if let reportOut {
                    try Data(bytes).write(to: URL(fileURLWithPath: reportOut))
                    print("report written to \(reportOut)")
                } else {
                    print(String(decoding: bytes, as: UTF8.self))
                }
            }
        default:
            print("failed: \(outcome.error ?? "no reason given")")
            throw ExitCode(1)
        }
    }

    private func loadSpec() throws -> ExperimentSpec {
        guard let data = FileManager.default.contents(atPath: experiment) else {
            throw ValidationError("\(experiment): cannot read the file")
        }
        do {
            return try MessageCoding.decoder().decode(ExperimentSpec.self, from: data)
        } catch let error as DecodingError {
            throw ValidationError("\(experiment): \(MessageCoding.describe(error))")
        } catch {
            throw ValidationError("\(experiment): not valid JSON (\(error))")
        }
    }
}
