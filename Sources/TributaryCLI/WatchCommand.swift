import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow one experiment or all of them: one line per status event.",
        discussion: "With an id, stops when that experiment ends; without, runs until interrupted.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The experiment to follow; all when left out.")
    var experimentID: String?

    @Flag(help: "Print each event as one JSON object per line.")
    var json = false

    func run() async throws {
        try await connection.withClient { client in
            let subscription: ExperimentSubscription
            if let experimentID {
                subscription = try await client.follow(experimentID: experimentID)
            } else {
                subscription = try await client.followAll()
            }
            while let event = try await subscription.nextEvent() {
                // Written straight through, not buffered: a pipe reader sees each event as it comes.
                if json {
                    emit(String(decoding: try MessageCoding.encode(event), as: UTF8.self))
                } else {
                    let time = event.at.formatted(Date.ISO8601FormatStyle())
                    print(
                        "\(time)  \(event.experimentID)  \(ProgressDisplay.describe(event, since: nil, now: event.at))" + (event.error.map { ": \($0)" } ?? ""))
                }
                if experimentID != nil, event.state.isTerminal { break }
            }
            await subscription.cancel()
        }
    }

    private func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
}
