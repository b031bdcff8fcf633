import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

/// What the commands about one experiment take: the connection, its id, and `--json`.
struct ExperimentArguments: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    @Flag(help: "Print the experiment's status as JSON.")
    var json = false

    /// Asks the orchestrator through `request`; an unknown experiment exits 1, and with
    /// `--json` the status is printed before the caller looks at it.
    func status(_ request: @escaping (TributaryClient, String) async throws -> ExperimentStatus?) async throws -> ExperimentStatus {
        let id = experimentID
        guard let status = try await connection.withClient({ try await request($0, id) }) else {
            if json { try printJSON(NotFound(experimentId: experimentID)) } else { print("unknown experiment \(experimentID)") }
            throw ExitCode(1)
        }
        if json { try printJSON(status) }
        return status
    }

    /// Prints a line for people; with `--json` the status already said it.
    func say(_ line: String) { if !json { print(line) } }
}
