import ArgumentParser
import TributaryAgentCommandLine
import TributaryAnalysis

/// The `PreTestAgent` executable.
public struct PreTestAgentCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "pre-test-agent",
        abstract: "Consumes pre_test tasks: validates an experiment, runs a language-model experiment's pilot, and plans its batches.",
        discussion: "Stops on SIGTERM or SIGINT after finishing the tasks in flight, and exits 0.")

    @OptionGroup var options: AgentOptions

    public func run() async throws {
        try await options.run(PreTestHandler(content: options.contentResolver(), languageModel: try options.languageModel.analyser()))
    }
}
