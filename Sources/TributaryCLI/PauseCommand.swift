import ArgumentParser
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Pause an analysing experiment: no new tasks go out; those already out finish and are counted.",
        discussion: """
            The experiment stays paused, across orchestrator restarts, until `tributary resume`; it is never \
            synthesised while paused. Exits 0 when it is paused (now or before), 1 when it is in another state \
            or unknown.
            """)

    @OptionGroup var experiment: ExperimentArguments

    func run() async throws {
        let status = try await experiment.status { try await $0.pause(experimentID: $1) }
        guard status.state == .paused else {
            experiment.say("not paused: experiment \(experiment.experimentID) is \(status.state.rawValue); only an analysing experiment pauses")
            throw ExitCode(1)
        }
        experiment.say(
            "paused: experiment \(experiment.experimentID) (\(status.batchesCompleted)/\(status.batchCount) batches completed, \(status.inFlight) still running)"
        )
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a paused experiment, optionally raising its budget.",
        discussion: """
            An experiment paused by its budget resumes only once the budget allows more: give a higher \
            --max-cost or --max-tokens. Exits 0 when it resumed, 1 when it is still paused (the budget is \
            still spent), is not paused, or is unknown.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Option(name: .customLong("max-cost"), help: "The experiment's new cost limit, in the model table's currency.")
    var maxCost: Double?

    @Option(name: .customLong("max-tokens"), help: "The experiment's new limit on input and output tokens together.")
    var maxTokens: Int?

    func validate() throws {
        if let maxCost, !(maxCost > 0) || !maxCost.isFinite { throw ValidationError("--max-cost must be positive, not \(maxCost)") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1, not \(maxTokens)") }
    }

    func run() async throws {
        let status = try await experiment.status { try await $0.resume(experimentID: $1, maxCost: maxCost, maxTokens: maxTokens) }
        switch status.state {
        case .paused:
            let spent = LedgerText.describe(status).map { ": \($0)" } ?? ""
            experiment.say("still paused: the budget of experiment \(experiment.experimentID) is spent\(spent); raise it with --max-cost or --max-tokens")
            throw ExitCode(1)
        case .analysing, .synthesising:
            experiment.say("resumed: experiment \(experiment.experimentID) is \(status.state.rawValue)")
        default:
            experiment.say("not resumed: experiment \(experiment.experimentID) is \(status.state.rawValue), not paused")
            throw ExitCode(1)
        }
    }
}
