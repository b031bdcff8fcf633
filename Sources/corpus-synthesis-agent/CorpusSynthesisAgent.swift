import ArgumentParser
import TributaryAgentCommandLine
import TributaryAnalysis

@main
struct CorpusSynthesisAgent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus-synthesis-agent",
        abstract: "Consumes corpus_synthesis tasks: combines all batch results into the report.",
        discussion: "Stops on SIGTERM or SIGINT after finishing the tasks in flight, and exits 0.")

    @OptionGroup var options: AgentOptions

    func run() async throws {
        try await options.run(CorpusSynthesisHandler())
    }
}
