import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Recent experiments with their state, progress and age, newest first.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only experiments in this state (received, pre_testing, analysing, paused, synthesising, completed, failed, cancelled).")
    var state: String?

    @Option(help: "At most this many (1 to 1000).")
    var limit = 20

    @Flag(help: "Every experiment the orchestrator has, in every state, failed and cancelled ones too (paged, newest first); --limit does not apply.")
    var all = false

    @Flag(help: "Print the experiments as JSON.")
    var json = false

    func validate() throws {
        if let state, ExperimentState(rawValue: state) == nil { throw ValidationError("--state: '\(state)' is not a state") }
        guard (1...ListQuery.maximumLimit).contains(limit) else { throw ValidationError("--limit must be between 1 and \(ListQuery.maximumLimit)") }
    }

    func run() async throws {
        let wanted = state.flatMap(ExperimentState.init(rawValue:))
        let experiments = try await connection.withClient { client in
            guard all else { return try await client.list(state: wanted, limit: limit) }
            var found: [ExperimentStatus] = []
            while true {
                let page = try await client.list(state: wanted, limit: ListQuery.maximumLimit, offset: found.count)
                found += page
                if page.count < ListQuery.maximumLimit { return found }
            }
        }
        if json {
            try printJSON(experiments)
            return
        }
        let now = Date()
        print(
            [
                "experiment".padding(toLength: 36, withPad: " ", startingAt: 0), "state".padding(toLength: 12, withPad: " ", startingAt: 0),
                "progress".padding(toLength: 28, withPad: " ", startingAt: 0), "spent".padding(toLength: 28, withPad: " ", startingAt: 0), "age",
                "name",
            ].joined(separator: "  "))
        for status in experiments {
            let ended = status.batchesCompleted + status.failedBatches
            let progress = status.batchCount > 0 ? "\(ended)/\(status.batchCount)" + (status.failedBatches > 0 ? " (\(status.failedBatches) failed)" : "") : "–"
            print(
                [
                    status.experimentID.padding(toLength: 36, withPad: " ", startingAt: 0),
                    LedgerText.state(status).padding(toLength: 12, withPad: " ", startingAt: 0),
                    progress.padding(toLength: 28, withPad: " ", startingAt: 0), LedgerText.short(status).padding(toLength: 28, withPad: " ", startingAt: 0),
                    ProgressDisplay.clock(Int(now.timeIntervalSince(status.lastProgressAt))),
                    status.name,
                ].joined(separator: "  "))
        }
    }
}
