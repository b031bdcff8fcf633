import Foundation
import Logging
import NIOCore
import PostgresNIO
import TributaryStore

/// One PostgreSQL connection driven synchronously from the store's own thread.
///
/// The orchestrator's transactions are synchronous code (the pure orchestrator calls the
/// store as it decides), so each statement waits for its answer here, on a thread of the
/// store's own, never on Swift's cooperative pool. Every wait is bounded.
final class PostgresSession {
    let connection: PostgresConnection
    private let logger: Logger
    private let location: String
    /// The longest a statement may take before the connection is given up as broken. The
    /// server's own `statement_timeout` and `lock_timeout` end slow statements well before.
    private let timeout: TimeAmount

    init(connection: PostgresConnection, logger: Logger, location: String, timeout: TimeAmount = .seconds(90)) {
        self.connection = connection
        self.logger = logger
        self.location = location
        self.timeout = timeout
    }

    /// A store dropped without ``PostgresExperimentStore/close()`` (a failing test, an
    /// error path) still closes its connection, which PostgresNIO requires of every one.
    deinit {
        if !connection.isClosed { Self.abandon(connection) }
    }

    @discardableResult
    func run(_ sql: String, _ values: [StoredValue] = []) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return try run(PostgresQuery(unsafeSQL: sql, binds: binds))
    }

    @discardableResult
    func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let connection = connection
        // A query written to a connection that has already closed may never be answered:
        // fail at once. The wait below has its own deadline for every other silence.
        guard !connection.isClosed else {
            throw ExperimentStoreError(.unavailable, path: location, "the connection to the database is closed")
        }
        // One hop to the event loop sends the query and hooks the answer; the answer wakes
        // this thread. (NIO's own wait on the future would cost two hops more, and
        // could not give up.)
        let answer = Answer()
        let logger = logger
        connection.eventLoop.execute {
            connection.query(query, logger: logger).whenComplete(answer.deliver)
        }
        guard let result = answer.wait(until: Date(timeIntervalSinceNow: Double(timeout.nanoseconds) / 1e9)) else {
            Self.abandon(connection)
            throw ExperimentStoreError(.unavailable, path: location, "no answer from the database within \(timeout.nanoseconds / 1_000_000_000) s")
        }
        do {
            return try result.get()
        } catch {
            throw PostgresSession.storeError(error, location: location)
        }
    }

    /// One statement's answer, handed from the event loop to the store's thread.
    private final class Answer: @unchecked Sendable {
        // Guarded by `condition`.
        private let condition = NSCondition()
        private var result: Result<PostgresQueryResult, any Error>?

        func deliver(_ result: Result<PostgresQueryResult, any Error>) {
            condition.lock()
            self.result = result
            condition.signal()
            condition.unlock()
        }

        /// The answer, or nil if none came by `deadline`.
        func wait(until deadline: Date) -> Result<PostgresQueryResult, any Error>? {
            condition.lock()
            defer { condition.unlock() }
            while result == nil {
                if !condition.wait(until: deadline) { break }
            }
            return result
        }
    }

    /// Closes a connection nobody will use again. The close completes later, on its event
    /// loop; the connection is kept until then (PostgresNIO requires it closed before it goes).
    static func abandon(_ connection: PostgresConnection) {
        (connection.close() as EventLoopFuture<Void>).whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Translates a driver error into the store's own, keeping the server's words and SQLSTATE.
    /// PostgresNIO's own descriptions are deliberately vague; its debug descriptions may quote
    /// the statement, so only chosen fields are kept.
    static func storeError(_ error: any Error, location: String) -> ExperimentStoreError {
        if let error = error as? ExperimentStoreError { return error }
        guard let error = error as? PSQLError else {
            return ExperimentStoreError(.unavailable, path: location, "connection failed: \(error)")
        }
        guard let server = error.serverInfo else {
            let cause = error.underlying.map { ": \($0)" } ?? ""
            return ExperimentStoreError(.unavailable, path: location, "\(error.code)\(cause)")
        }
        let state = server[.sqlState]
        let message = [server[.message], server[.detail]].compactMap { $0 }.joined(separator: "; ")
        // Class 57 (operator intervention: shutdown, termination) and 08 (connection) end the session.
        let lost = state.map { $0.hasPrefix("57") || $0.hasPrefix("08") } ?? false
        var storeError = ExperimentStoreError(lost ? .unavailable : .rejected, path: location, "\(message) (SQLSTATE \(state ?? "?"))")
        storeError.sqlState = state
        return storeError
    }
}

extension PostgresBindings {
    /// PostgreSQL text can't hold NUL, which JSON can carry ("\u0000"): it is stored as U+FFFD.
    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    mutating func append(_ value: StoredValue) {
        switch value {
        case .null: appendNull()
        case .integer(let value): append(value)
        case .real(let value): append(value)
        case .text(let value): append(Self.storable(value))
        case .blob(let bytes): append(ByteBuffer(bytes: bytes))
        }
    }
}

/// A PostgreSQL row as the shared record codec reads it.
struct PostgresStoredRow: StoredRow {
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) { cells = row.makeRandomAccess() }

    /// PostgresNIO traps on a column the row lacks; a store error names it instead.
    private func cell(_ name: String) throws -> PostgresCell {
        guard cells.contains(name) else { throw ExperimentStoreError(.corrupt, path: "query", "no column '\(name)' in the row") }
        return cells[name]
    }

    func text(_ column: String) throws -> String { try cell(column).decode(String.self) }
    func integer(_ column: String) throws -> Int64 { try cell(column).decode(Int64.self) }
    func real(_ column: String) throws -> Double { try cell(column).decode(Double.self) }
    func bytes(_ column: String) throws -> [UInt8] { Array(try cell(column).decode(ByteBuffer.self).readableBytesView) }
    func isNull(_ column: String) throws -> Bool { try cell(column).bytes == nil }
}
