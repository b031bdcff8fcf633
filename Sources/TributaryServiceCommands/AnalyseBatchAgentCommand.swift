import ArgumentParser
import TributaryAgentCommandLine
import TributaryAnalysis

/// The `AnalyseBatchAgent` executable.
public struct AnalyseBatchAgentCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "analyse-batch-agent",
        abstract: "Consumes analyse_batch tasks; run as many as you like, they compete for tasks.",
        discussion: "Stops on SIGTERM or SIGINT after finishing the tasks in flight, and exits 0.")

    @OptionGroup var options: AgentOptions

    public func run() async throws {
        try await options.runAnalyser()
    }
}
