import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Why hasn't synthesis fired? State, counts, and every batch that is not done or failed.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The experiment id printed by submit.")
    var experimentID: String

    @Flag(help: "Print the reply as JSON.")
    var json = false

    func run() async throws {
        let reply = try await connection.withClient { try await $0.explain(experimentID: experimentID) }
        if json {
            try printJSON(reply)
            return
        }
        guard let status = reply.status else {
            print("unknown experiment \(experimentID)")
            throw ExitCode(1)
        }
        print(Self.explanation(status, batches: reply.batches ?? [], now: Date()))
    }

    static func explanation(_ status: ExperimentStatus, batches: [BatchStatus], now: Date) -> String {
        func span(_ interval: TimeInterval) -> String {
            let seconds = Int(interval.rounded())
            return seconds < 120 ? "\(seconds)s" : seconds < 7_200 ? "\(seconds / 60)m" : "\(seconds / 3_600)h"
        }
        func age(_ date: Date?) -> String { date.map { span(now.timeIntervalSince($0)) } ?? "–" }
        var lines = [
            "experiment \(status.experimentID) (\(status.name)): \(LedgerText.state(status)), run \(status.run)",
            "batches: \(status.batchesCompleted) succeeded, \(status.failedBatches) failed for good, \(status.inFlight) in flight, of \(status.batchCount)",
            "retries: \(status.retries); duplicates ignored: \(status.duplicatesIgnored); last progress \(age(status.lastProgressAt)) ago",
        ]
        if let ledger = LedgerText.describe(status) { lines.append("model \(ledger)") }
        if let cache = LedgerText.cache(status) { lines.append(cache) }
        if let estimate = status.estimate { lines += LedgerText.estimate(estimate, model: status.model) }
        if let error = status.error { lines.append("error: \(error)") }
        switch status.state {
        case .analysing:
            let open = status.batchCount - status.batchesCompleted - status.failedBatches
            lines.append("why no synthesis yet: \(open) of \(status.batchCount) batches have no outcome yet (listed below)")
        case .preTesting: lines.append("why no synthesis yet: the pre-test has not reported")
        case .synthesising: lines.append("synthesis requested; waiting for its result")
        case .paused:
            let why = status.pauseReason == .budget ? "its budget is spent" : "it was paused by hand"
            lines.append(
                "why no synthesis yet: paused, as \(why); `tributary resume \(status.experimentID)` goes on"
                    + (status.pauseReason == .budget ? " (with a higher --max-cost or --max-tokens)" : ""))
        default: break
        }
        if !batches.isEmpty {
            lines.append("")
            lines.append("batch  state       attempt  age     due      worker          last error")
            for batch in batches {
                let due = batch.dueAt.map { $0 > now ? "in \(span($0.timeIntervalSince(now)))" : "now" } ?? "–"
                lines.append(
                    [
                        "\(batch.batchIndex)".padding(toLength: 6, withPad: " ", startingAt: 0),
                        batch.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                        "\(batch.attempt)".padding(toLength: 8, withPad: " ", startingAt: 0),
                        age(batch.dispatchedAt).padding(toLength: 7, withPad: " ", startingAt: 0),
                        due.padding(toLength: 8, withPad: " ", startingAt: 0),
                        (batch.workerID ?? "–").padding(toLength: 15, withPad: " ", startingAt: 0),
                        batch.lastError ?? "–",
                    ].joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
