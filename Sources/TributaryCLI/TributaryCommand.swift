import ArgumentParser
import TributaryCore

/// The `tributary` command line: submit experiments and follow them.
public struct TributaryCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Submit experiments to a Tributary pipeline and follow them.",
        version: TributaryVersion.current,
        subcommands: [
            SubmitCommand.self, StatusCommand.self, ExplainCommand.self, ListCommand.self, WatchCommand.self, DeadLettersCommand.self, CancelCommand.self,
            RetryCommand.self, PauseCommand.self, ResumeCommand.self, CacheCommand.self, ReportCommand.self, ExportCommand.self,
            TopologyCommand.self,
            GenerateCorpusCommand.self, AnalyserCheckCommand.self,
        ])
}
