import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an experiment: no synthesis is sent, agents skip its remaining tasks.",
        discussion: "Idempotent. Exits 0 when the experiment is cancelled (now or before), 1 when it had already ended otherwise or is unknown.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    @Flag(help: "Print the experiment's status afterwards as JSON.")
    var json = false

    func run() async throws {
        let status = try await connection.withClient { try await $0.cancel(experimentID: experimentID) }
        guard let status else {
            if json { try printJSON(NotFound(experimentId: experimentID)) } else { print("unknown experiment \(experimentID)") }
            throw ExitCode(1)
        }
        if json { try printJSON(status) }
        switch status.state {
        case .cancelled: if !json { print("cancelled: experiment \(experimentID) (\(status.batchesCompleted)/\(status.batchCount) batches had completed)") }
        default:
            if !json { print("not cancelled: experiment \(experimentID) had already ended as \(status.state.rawValue)") }
            throw ExitCode(1)
        }
    }
}
