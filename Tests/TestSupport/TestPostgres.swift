import Foundation
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL server the shared-store suites use: `TRIBUTARY_TEST_POSTGRES_URL`, a role
/// that may create databases. Without it those suites are skipped (and say so);
/// `Deploy/local/test.sh` starts a private cluster (start-postgres.sh) and sets it.
package enum TestPostgres {
    package static let url: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The trait of every suite that needs PostgreSQL.
    package static var required: ConditionTrait {
        .enabled(if: url != nil, "needs PostgreSQL: set TRIBUTARY_TEST_POSTGRES_URL (Deploy/local/test.sh does)")
    }

    /// A database of its own for one test, on the configured server; dropped by ``TestDatabase/drop()``.
    package static func freshDatabase() async throws -> TestDatabase {
        guard let url, let server = URLComponents(string: url) else { throw NotConfigured() }
        let name = "tributary_test_\(UInt32.random(in: 0...UInt32.max))"
        try await TestDatabase.administer(server) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: TestDatabase.logger) }
        var components = server
        components.path = "/\(name)"
        components.query = "sslmode=disable"
        return TestDatabase(name: name, url: components.string ?? url, server: server)
    }

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String { "TRIBUTARY_TEST_POSTGRES_URL is not set" }
    }
}

/// One test's database: its URL for the orchestrators, and raw SQL for checks.
package struct TestDatabase: Sendable {
    package let name: String
    package let url: String
    let server: URLComponents

    static let logger = Logger(label: "tributary.test.postgres")

    /// Runs `body` on a new connection to this test's database.
    package func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var components = server
        components.path = "/\(name)"
        return try await Self.administer(components, body)
    }

    /// Removes the database, ending any session still on it.
    package func drop() async {
        try? await Self.administer(server) { try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: Self.logger) }
    }

    static func administer<T: Sendable>(_ url: URLComponents, _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let configuration = PostgresConnection.Configuration(
            host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: String(url.path.drop { $0 == "/" }), tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
