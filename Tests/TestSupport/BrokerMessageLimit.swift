import Foundation
import Testing

/// The local broker's `max_message_size`, changed for a while through `rabbitmqctl eval`.
///
/// RabbitMQ reads the limit when a channel opens, and a channel the broker closed is opened
/// again with whatever is set then, so the limit must stay set for as long as the test's
/// services publish. Tests running beside it see it too: keep it above every message the
/// other tests send (they are all well under 100 KiB).
package enum BrokerMessageLimit {
    /// The trait of tests that change the limit: they need `rabbitmqctl` for the broker they
    /// use, so only the local one (`Deploy/local/test.sh` starts it).
    package static var available: ConditionTrait {
        let local = TestBroker.url.map { $0.contains("@127.0.0.1") || $0.contains("@localhost") } ?? false
        return .enabled(
            if: local && FileManager.default.isExecutableFile(atPath: "/usr/sbin/rabbitmqctl"),
            "changes the broker's max_message_size with rabbitmqctl: needs the local broker (Deploy/local/test.sh)")
    }

    /// Sets the limit, runs `body`, and restores the previous limit whatever happens.
    package static func with<T>(_ bytes: Int, _ body: () async throws -> T) async throws -> T {
        let previous = try current()
        try set(bytes)
        do {
            let value = try await body()
            try set(previous)
            return value
        } catch {
            try? set(previous)
            throw error
        }
    }

    static func current() throws -> Int {
        let output = try rabbitmqctl(["eval", "application:get_env(rabbit, max_message_size)."])
        // `{ok,134217728}`
        guard let digits = output.split(whereSeparator: { !$0.isNumber }).first, let value = Int(digits) else {
            throw LimitError("unexpected answer from rabbitmqctl: \(output)")
        }
        return value
    }

    static func set(_ bytes: Int) throws {
        _ = try rabbitmqctl(["eval", "application:set_env(rabbit, max_message_size, \(bytes))."])
    }

    private static func rabbitmqctl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/rabbitmqctl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LimitError("rabbitmqctl \(arguments.joined(separator: " ")) failed: \(output)") }
        return output
    }

    struct LimitError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
