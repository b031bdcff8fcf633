import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine
import TributaryCore

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "The orchestrator's result cache: what it holds, and purging it.",
        subcommands: [CacheStatsCommand.self, CachePurgeCommand.self])
}

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Cached analyses per analyser: how many, their size, what they cost to make, and their age.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the statistics as JSON.")
    var json = false

    func run() async throws {
        let reply = try await connection.withClient { try await $0.cacheStatistics() }
        if json {
            try printJSON(reply)
            return
        }
        CacheText.print(reply)
    }
}

struct CachePurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Deletes cached analyses; the next experiments analyse those documents again.",
        discussion: """
            Without options every entry goes. Experiments already planned keep the analyses they took from \
            the cache.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Only this analyser's entries: builtin, llm, llm:<model>, external or external:<version>.")
    var analyser: String?

    @Option(help: "Only entries made longer ago than this: a whole number and s, m, h or d (90m, 12h, 30d).")
    var olderThan: String?

    @Flag(help: "Print what is left as JSON.")
    var json = false

    func validate() throws {
        if let olderThan, CacheText.age(olderThan) == nil {
            throw ValidationError("--older-than: '\(olderThan)' is not an age: a whole number and s, m, h or d (90m, 12h, 30d)")
        }
        if let analyser, analyser.isEmpty { throw ValidationError("--analyser must not be empty") }
    }

    func run() async throws {
        let before = olderThan.flatMap(CacheText.age).map { Date().addingTimeInterval(-$0) }
        let reply = try await connection.withClient { try await $0.purgeCache(analyser: analyser, olderThan: before) }
        if json {
            try printJSON(reply)
            return
        }
        print("removed \(reply.removed ?? 0) cached analyses")
        CacheText.print(reply)
    }
}

enum CacheText {
    /// Seconds in `90m`, `12h`, `30d`; nil when it is not an age.
    static func age(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count >= 0 else { return nil }
        return TimeInterval(count) * unit
    }

    static func print(_ reply: CacheReply) {
        guard !reply.analysers.isEmpty else {
            Swift.print("the result cache is empty")
            return
        }
        Swift.print(
            [
                "analyser".padding(toLength: 32, withPad: " ", startingAt: 0), "entries".leftPadded(9), "size".leftPadded(10), "tokens".leftPadded(12),
                "cost".leftPadded(10), "  newest",
            ].joined(separator: " "))
        let dates = ISO8601DateFormatter()
        for entry in reply.analysers {
            Swift.print(
                [
                    entry.analyser.padding(toLength: 32, withPad: " ", startingAt: 0), "\(entry.entries)".leftPadded(9),
                    LedgerText.bytes(entry.bytes).leftPadded(10), "\(entry.inputTokens + entry.outputTokens)".leftPadded(12),
                    String(format: "%.4f", entry.cost).leftPadded(10), "  " + dates.string(from: entry.newest),
                ].joined(separator: " "))
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
