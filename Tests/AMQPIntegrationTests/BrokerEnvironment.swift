import AMQP
import Foundation
import Testing
import TributaryTestSupport
import TributaryTesting

/// How the integration tests reach their broker (``TestBroker``) and poke at it.
enum BrokerEnvironment {
    static func configuration(_ name: String = #function) throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: TestBroker.requireURL())
        configuration.connectionName = "test-\(name.prefix { $0 != "(" })"
        configuration.reconnect.initialDelay = .milliseconds(50)
        configuration.reconnect.maximumDelay = .milliseconds(500)
        return configuration
    }

    static func connect(_ name: String = #function) async throws -> AMQPConnection {
        try await AMQPConnection.connect(configuration(name))
    }

    /// A queue name no other test or run uses.
    static func uniqueName(_ prefix: String) -> String {
        "test.\(prefix).\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Runs `rabbitmqctl` against the local node and returns its output.
    @discardableResult
    static func rabbitmqctl(_ arguments: String...) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["rabbitmqctl"] + arguments
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("rabbitmqctl \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Has the broker force-close the connections with this connection name (and only those,
    /// so tests running beside this one keep theirs). Returns how many were closed.
    @discardableResult
    static func forceClose(connectionNamed name: String) throws -> Int {
        let listing = try rabbitmqctl("list_connections", "-q", "--no-table-headers", "pid", "client_properties")
        let pids = listing.split(separator: "\n")
            .filter { $0.contains("\"\(name)\"") }
            .compactMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
        for pid in pids { try rabbitmqctl("close_connection", pid, "forced by integration test") }
        return pids.count
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads one consumer from one iterator, so deliveries batched together are not lost
/// between calls; each read is bounded and fails the test when it runs out.
final class DeliveryReader: @unchecked Sendable {
    private var iterator: AMQPConsumer.AsyncIterator

    init(_ consumer: AMQPConsumer) {
        iterator = consumer.makeAsyncIterator()
    }

    /// Used from one task at a time; the unchecked Sendable only lets the deadline's child task borrow it.
    func next(within limit: Duration = .seconds(10), _ what: String = "a delivery") async throws -> AMQPDelivery {
        try await withDeadline(limit, what) {
            guard let delivery = try await self.iterator.next() else { throw TestFailure("consumer ended while waiting for \(what)") }
            return delivery
        }
    }
}
