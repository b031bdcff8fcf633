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

    @Flag(help: "Print JSON (the status is always printed as JSON; accepted for symmetry with the other commands).")
    var json = false

    func run() async throws {
        let status = try await connection.withClient { try await $0.status(experimentID: experimentID) }
        guard let status else {
            if json { try printJSON(NotFound(experimentId: experimentID)) } else { print("unknown experiment \(experimentID)") }
            throw ExitCode(1)
        }
        try printJSON(status)
    }
}
