import Foundation
import Logging
import PostgresNIO
import Testing
import TributaryTesting

/// The PostgreSQL server the shared-store suites use: `TRIBUTARY_TEST_POSTGRES_URL`, a role
/// that may create databases. Without it those suites are skipped (and say so);
/// `Deploy/local/test.sh` starts a private cluster (start-postgres.sh) and sets it.
package enum TestPostgres {
    package static let url: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The trait of every suite that needs PostgreSQL.
    package static var required: ConditionTrait {
        .enabled(if: url != nil, "needs PostgreSQL: set TRIBUTARY_TEST_POSTGRES_URL (Deploy/local/test.sh does)")
    }

    /// A server the test that restarts it has to itself (`TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL`),
    /// and the command that restarts it (`TRIBUTARY_TEST_POSTGRES_RESTART`).
    package static let restartableURL: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL"].flatMap {
        $0.isEmpty ? nil : $0
    }
    package static let restartCommand: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_RESTART"].flatMap {
        $0.isEmpty ? nil : $0
    }

    /// The trait of a test that restarts its PostgreSQL server.
    package static var restartable: ConditionTrait {
        .enabled(
            if: restartableURL != nil && restartCommand != nil,
            "needs a PostgreSQL of its own to restart: set TRIBUTARY_TEST_POSTGRES_RESTARTABLE_URL and TRIBUTARY_TEST_POSTGRES_RESTART (Deploy/local/test.sh does)"
        )
    }

    /// Restarts the restartable server and returns once it accepts connections again.
    package static func restartServer(within limit: Duration = .seconds(90)) async throws {
        guard let restartCommand else { throw NotConfigured() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", restartCommand]
        // Told by the termination handler, not Process.waitUntilExit, which spins a run loop
        // that a concurrency thread never services.
        let (exits, exited) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.yield($0.terminationStatus) }
        try process.run()
        let status = try await withDeadline(limit, "\(restartCommand)") {
            for await status in exits { return status }
            return -1
        }
        guard status == 0 else { throw SetUpFailed(description: "\(restartCommand) exited \(status)") }
    }

    /// A database of its own for one test, owned by a role of its own with a random password
    /// (so a test can look for that password in logs); dropped by ``TestDatabase/drop()``.
    /// On `server`, a URL of a role that may create databases and roles (default: `TRIBUTARY_TEST_POSTGRES_URL`).
    package static func freshDatabase(on serverURL: String? = TestPostgres.url) async throws -> TestDatabase {
        guard let serverURL, let server = URLComponents(string: serverURL) else { throw NotConfigured() }
        let url = serverURL
        let name = "tributary_test_\(UInt32.random(in: 0...UInt32.max))"
        let password = "pw\(UInt64.random(in: 0...UInt64.max))x"
        try await TestDatabase.administer(server) { connection in
            try await connection.query("CREATE ROLE \(unescaped: name) LOGIN PASSWORD '\(unescaped: password)'", logger: TestDatabase.logger)
            // Only a member of a role may make it a database's owner.
            try await connection.query("GRANT \(unescaped: name) TO CURRENT_USER", logger: TestDatabase.logger)
            try await connection.query("CREATE DATABASE \(unescaped: name) OWNER \(unescaped: name)", logger: TestDatabase.logger)
        }
        var components = server
        components.user = name
        components.password = password
        components.path = "/\(name)"
        components.query = "sslmode=disable"
        return TestDatabase(name: name, url: components.string ?? url, server: server)
    }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String { "TRIBUTARY_TEST_POSTGRES_URL is not set" }
    }
}

struct SetUpFailed: Error, CustomStringConvertible {
    var description: String
}

/// One test's database: its URL for the orchestrators, and raw SQL for checks.
package struct TestDatabase: Sendable {
    package let name: String
    package let url: String
    let server: URLComponents

    static let logger = Logger(label: "tributary.test.postgres")

    /// Runs `body` on a new connection to this test's database, as its owner.
    package func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        guard let components = URLComponents(string: url) else { throw TestPostgres.NotConfigured() }
        return try await Self.administer(components, body)
    }

    /// Removes the database and its role, ending any session still on it.
    package func drop() async {
        try? await Self.administer(server) { connection in
            try await connection.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: Self.logger)
            try await connection.query("DROP ROLE IF EXISTS \(unescaped: name)", logger: Self.logger)
        }
    }

    static func administer<T: Sendable>(_ url: URLComponents, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let configuration = PostgresConnection.Configuration(
            host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: String(url.path.drop { $0 == "/" }), tls: .disable)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            do {
                let value = try await body(connection)
                try await connection.close()
                return value
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as PSQLError {
            // Its own description says nothing, on purpose; a test's failure must say what went wrong.
            throw SetUpFailed(description: "PostgreSQL test set-up failed: \(String(reflecting: error))")
        }
    }
}
