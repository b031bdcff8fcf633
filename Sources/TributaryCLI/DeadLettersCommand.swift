import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Inspect the messages that could not be processed, and send them back once the cause is fixed.",
        subcommands: [List.self, Show.self, Replay.self])

    /// What every dead-letter command takes.
    struct Selection: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions

        @Option(help: "Only dead letters whose reason starts with this (malformed, unsupported_schema_version, invalid_identifier, delivery_limit, …).")
        var reason: String?

        @Option(help: "Read at most this many dead letters.")
        var limit = 100

        @Flag(help: "Print JSON.")
        var json = false

        func matches(_ letter: DeadLetter) -> Bool { reason.map { letter.reason.hasPrefix($0) } ?? true }

        func show(_ letters: [DeadLetter], detail: Bool) throws {
            if json {
                try printJSON(letters)
                return
            }
            for letter in letters {
                print("\(letter.messageID ?? "-")  \(letter.type ?? "-")  from \(letter.sourceQueue ?? "?")  \(letter.reason)")
                if detail {
                    print(
                        "  experiment: \(letter.experimentID ?? "-"); dead-lettered \(letter.deaths) time(s); \(letter.bodyBytes) bytes\n  \(letter.body)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters (they stay in the queue).")
        @OptionGroup var selection: Selection

        func run() async throws {
            let letters = try await selection.connection.withClient { try await $0.deadLetters(limit: selection.limit) }
            try selection.show(letters.filter(selection.matches), detail: false)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show dead letters in full: headers that matter and the body.")
        @OptionGroup var selection: Selection
        @Argument(help: "Message ids to show; all that match when left out.") var messageIDs: [String] = []

        func run() async throws {
            let letters = try await selection.connection.withClient { try await $0.deadLetters(limit: selection.limit) }
            let shown = letters.filter { selection.matches($0) && (messageIDs.isEmpty || messageIDs.contains($0.messageID ?? "")) }
            if shown.isEmpty && !messageIDs.isEmpty { throw ValidationError("no dead letter with id \(messageIDs.joined(separator: ", "))") }
            try selection.show(shown, detail: true)
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters back to the queue they came from (the ones selected; the rest stay).",
            discussion: "Exits 0 when at least one was sent back, 1 when none matched.")
        @OptionGroup var selection: Selection
        @Argument(help: "Message ids to replay; all that match --reason when left out.") var messageIDs: [String] = []

        func run() async throws {
            let reason = selection.reason
            let ids = messageIDs
            let replayed = try await selection.connection.withClient { client in
                try await client.replayDeadLetters(limit: selection.limit) { letter in
                    (reason.map { letter.reason.hasPrefix($0) } ?? true) && (ids.isEmpty || ids.contains(letter.messageID ?? ""))
                }
            }
            if selection.json {
                try selection.show(replayed, detail: false)
            } else {
                print("replayed \(replayed.count) dead letter(s)")
                try selection.show(replayed, detail: false)
            }
            if replayed.isEmpty { throw ExitCode(1) }
        }
    }
}
