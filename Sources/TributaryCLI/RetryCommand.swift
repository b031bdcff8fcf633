import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Re-run the batches of an experiment that failed for good, then synthesise again.",
        discussion: """
            For an experiment that completed with failed batches, or failed after its batches were planned. \
            Only the batches that did not succeed are sent again (or, if they all had, the synthesis alone \
            runs again); the new report covers all results and names its run. Exits 0 when a new run \
            started, 1 when there was nothing to re-run.
            """)

    @OptionGroup var experiment: ExperimentArguments

    func run() async throws {
        let status = try await experiment.status { try await $0.retry(experimentID: $1) }
        guard status.state == .analysing || status.state == .synthesising else {
            experiment.say("nothing to re-run: experiment \(experiment.experimentID) is \(status.state.rawValue) with \(status.failedBatches) failed batches")
            throw ExitCode(1)
        }
        experiment.say("run \(status.run) of experiment \(experiment.experimentID) started: \(status.batchCount - status.batchesCompleted) batches sent again")
    }
}
