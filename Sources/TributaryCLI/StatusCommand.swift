import AMQP
import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Ask the orchestrator for an experiment's current state.")

    @OptionGroup var experiment: ExperimentArguments

    func run() async throws {
        let status = try await experiment.status { try await $0.status(experimentID: $1) }
        // The status is always printed as JSON; --json is accepted for symmetry with the other commands.
        if !experiment.json { try printJSON(status) }
    }
}
