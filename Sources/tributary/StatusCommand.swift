import AMQP
import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Ask the orchestrator for an experiment's current state.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    func run() async throws {
        let status = try await connection.withClient { try await $0.status(experimentID: experimentID) }
        guard let status else {
            print("unknown experiment \(experimentID)")
            throw ExitCode(1)
        }
        print(String(decoding: try MessageCoding.encode(status), as: UTF8.self))
    }
}
