import ArgumentParser
import TributaryAgentCommandLine
import TributaryAnalysis

/// The `CorpusSynthesisAgent` executable.
public struct CorpusSynthesisAgentCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "corpus-synthesis-agent",
        abstract: "Consumes corpus_synthesis tasks: combines all batch results into the report.",
        discussion: "Stops on SIGTERM or SIGINT after finishing the tasks in flight, and exits 0.")

    @OptionGroup var options: AgentOptions

    public func run() async throws {
        try await options.run(CorpusSynthesisHandler(content: options.contentResolver()))
    }
}
