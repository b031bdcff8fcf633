import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an experiment: no synthesis is sent, agents skip its remaining tasks.",
        discussion: "Idempotent. Exits 0 when the experiment is cancelled (now or before), 1 when it had already ended otherwise or is unknown.")

    @OptionGroup var experiment: ExperimentArguments

    func run() async throws {
        let status = try await experiment.status { try await $0.cancel(experimentID: $1) }
        guard status.state == .cancelled else {
            experiment.say("not cancelled: experiment \(experiment.experimentID) had already ended as \(status.state.rawValue)")
            throw ExitCode(1)
        }
        experiment.say("cancelled: experiment \(experiment.experimentID) (\(status.batchesCompleted)/\(status.batchCount) batches had completed)")
    }
}
