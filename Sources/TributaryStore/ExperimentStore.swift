import Foundation
import TributaryCore

/// Where the orchestrator keeps experiments, batches and the outbox: one SQLite file
/// (`TributarySQLiteStore`) or a PostgreSQL database shared by several orchestrators
/// (`TributaryPostgresStore`).
///
/// Every change goes through ``transaction(locking:_:)``; the outbox rows a transaction
/// writes belong to the orchestrator that wrote them until it confirms and removes them,
/// or until another adopts them through ``claimOutbox(limit:)`` because it stopped.
package protocol ExperimentStore: Sendable {
    /// Where the store is, fit for a log line: a file path, or a database URL without its password.
    var location: String { get }

    /// Runs `body` in one transaction and commits; on any error rolls back and rethrows.
    /// `experimentIDs` are the experiments the body will change: a shared store locks them
    /// up front, in one order, so concurrent orchestrators queue instead of deadlocking.
    /// A shared store may run `body` again after a conflict with another orchestrator.
    func transaction<T: Sendable>(
        locking experimentIDs: [String], _ body: @Sendable (any ExperimentStoreTransaction) throws -> T
    ) async throws -> (value: T, enqueued: [OutboxEntry])

    /// Outbox entries nobody is publishing, now this orchestrator's to publish: on SQLite,
    /// what the previous run left (once, at start); on PostgreSQL, also what an orchestrator
    /// that stopped renewing its lease left, whenever it is called.
    func claimOutbox(limit: Int) async throws -> [OutboxEntry]
    /// Removes confirmed entries.
    func removeFromOutbox(_ ids: [Int64]) async throws
    /// Tells the other orchestrators this one is alive, so its outbox stays its own.
    func heartbeat() async throws

    /// The stored state of one experiment, for status queries.
    func experiment(id: String) async throws -> ExperimentRecord?
    /// The newest experiments first, optionally only those in `state`, for `tributary list`.
    func recentExperiments(state: ExperimentState?, limit: Int, offset: Int) async throws -> [ExperimentRecord]
    /// How many experiments are in each state (states with none are absent).
    func experimentCountsByState() async throws -> [ExperimentState: Int]
    /// How many of the experiment's batches are in each state, per run of `cellSize` batches
    /// (the batch grid), counted in the database.
    func batchStateCounts(experimentID: String, cellSize: Int) async throws -> [BatchStateCount]
    /// The experiment's batches in `states`, lowest index first, for status details.
    func batches(experimentID: String, in states: Set<BatchStatus.State>, limit: Int) async throws -> [BatchRecord]
    /// The result cache's entries by analyser.
    func cacheStatistics() async throws -> [CacheReply.AnalyserEntries]
    /// Deletes cache entries (see ``StoredStatements/purgeCache(analyser:olderThan:)``);
    /// returns how many. An experiment already planned keeps the analyses it took.
    func purgeCache(analyser: String?, olderThan: Date?) async throws -> Int

    /// When the earliest timer (a batch's or a step's) is due; nil when none is set.
    func nextTimerDue() async throws -> Date?

    /// Whether `error`, thrown by this store, is the store's own failure (disk full, I/O, the
    /// server gone), so that no message is to blame: the orchestrator then requeues what it
    /// was applying instead of dead-lettering it. Each backend knows its own errors.
    func isStoreFailure(_ error: any Error) -> Bool

    /// Closes the store; a SQLite store also releases its file lock.
    func close() async
}
