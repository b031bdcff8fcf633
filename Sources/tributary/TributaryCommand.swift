import ArgumentParser

@main
struct TributaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Submit experiments to a Tributary pipeline and follow them.",
        subcommands: [
            SubmitCommand.self, StatusCommand.self, ExplainCommand.self, CancelCommand.self, RetryCommand.self, TopologyCommand.self,
            GenerateCorpusCommand.self,
        ])
}
