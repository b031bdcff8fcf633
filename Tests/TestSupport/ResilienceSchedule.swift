import Foundation
import Testing
import TributaryCore

/// Random schedules of unreliable work against the orchestrator, on a simulated clock: every
/// attempt of every task succeeds, fails (transiently or for good), is dead-lettered, or is
/// lost (its deadline passes); results come once or several times, in any order, late ones
/// after their attempt was superseded; experiments get cancelled at random. Whatever
/// happens, the invariants hold:
///
/// - every experiment ends (completed, failed or cancelled), none waits for ever;
/// - at most one synthesis per run: the step is entered once per run and each of its
///   attempts (a retry after a failure or a timeout is a new attempt) is sent once; a
///   completed experiment completed exactly once;
/// - a synthesis is sent only once every batch has an outcome, and none after a cancellation;
/// - the count of completed batches equals the distinct batches that succeeded, and every
///   batch ends exactly once, succeeded or failed, after at most `max_attempts` attempts;
/// - failed batches beyond the tolerance fail the experiment, within it they don't.
package enum ResilienceSchedule {
    package struct Store {
        /// Applies one input (a fresh orchestrator each time: every step is a restart).
        package var apply: (Orchestrator.Input, Date) async throws -> [OutboundMessage]
        /// Fires the timers due at the time given.
        package var fire: (Date) async throws -> [OutboundMessage]
        package var experiment: (String) async throws -> ExperimentRecord?
        package var batches: (String) async throws -> [BatchRecord]

        package init(
            apply: @escaping (Orchestrator.Input, Date) async throws -> [OutboundMessage], fire: @escaping (Date) async throws -> [OutboundMessage],
            experiment: @escaping (String) async throws -> ExperimentRecord?, batches: @escaping (String) async throws -> [BatchRecord]
        ) {
            self.apply = apply
            self.fire = fire
            self.experiment = experiment
            self.batches = batches
        }
    }

    package static func run(_ random: inout SplitMix, experiments: Int, store: Store) async throws {
        var now = Date(timeIntervalSince1970: 1_764_000_000)
        var pending: [Orchestrator.Input] = []
        var tolerances: [String: Int] = [:]
        for index in 0..<experiments {
            let spec = Fixtures.spec(
                documents: Int.random(in: 1...12, using: &random), batchSize: Int.random(in: 1...3, using: &random), name: "e\(index)",
                retry: RetryPolicy(maxAttempts: Int.random(in: 1...3, using: &random), initialBackoff: .seconds(1), maxBackoff: .seconds(4)),
                tolerate: .count(Int.random(in: 0...2, using: &random)), maxInFlight: Int.random(in: 1...4, using: &random))
            var withTimeout = spec
            withTimeout.taskTimeout = .seconds(30)
            pending.append(.request(Fixtures.request("e\(index)", withTimeout)))
            tolerances["e\(index)"] = spec.tolerateFailedBatches.allowedFailures(of: Int.max)
        }
        var synthesisAttempts: [String: [Int: [Int]]] = [:]
        var completions: [String: Int] = [:]
        var cancelledAt: Set<String> = []
        var succeeded: [String: Set<Int>] = [:]
        var steps = 0

        func observe(_ messages: [OutboundMessage]) throws {
            for event in Fixtures.events(in: messages) where event.state == .completed { completions[event.experimentID, default: 0] += 1 }
            for task in Fixtures.tasks(in: messages) {
                let id = task.experimentID
                if case .corpusSynthesis(let payload) = task.payload {
                    synthesisAttempts[id, default: [:]][payload.run, default: []].append(task.attempt)
                    #expect(!cancelledAt.contains(id), "synthesis sent for cancelled experiment \(id)")
                }
                // What happens to this attempt: the agent's fate, then how often its result arrives.
                let fate = Int.random(in: 0..<100, using: &random)
                let result: Orchestrator.Input?
                switch fate {
                case ..<55: result = .result(Fixtures.result(for: task))
                case ..<72: result = .result(Fixtures.result(for: task, status: .failed))
                case ..<77:
                    var failure = Fixtures.result(for: task, status: .failed)
                    failure.error?.permanent = true
                    result = .result(failure)
                case ..<85:
                    result = .deadLetteredTask(task.identity, TaskHeaders(attempt: task.attempt, run: task.run), reason: "delivery limit", permanent: false)
                default: result = nil  // lost: only its deadline tells
                }
                if let result {
                    for _ in 0..<Int.random(in: 1...3, using: &random) { pending.append(result) }
                }
            }
        }

        while true {
            steps += 1
            #expect(steps < 20_000, "schedule did not converge")
            if steps >= 20_000 { break }
            if !pending.isEmpty, Int.random(in: 0..<10, using: &random) < 8 {
                let input = pending.remove(at: Int.random(in: 0..<pending.count, using: &random))
                if case .result(let result) = input, result.taskType == .analyseBatch, result.status == .completed, let index = result.batchIndex,
                    try await store.experiment(result.experimentID)?.state == .analysing,
                    let batch = try await store.batches(result.experimentID).first(where: { $0.index == index }),
                    batch.state == .dispatched || batch.state == .retryWait
                {
                    succeeded[result.experimentID, default: []].insert(index)
                }
                try observe(try await store.apply(input, now))
            } else if Int.random(in: 0..<40, using: &random) == 0 {
                let id = "e\(Int.random(in: 0..<experiments, using: &random))"
                let before = try await store.experiment(id)?.state
                try observe(try await store.apply(.cancel(ExperimentControlRequest(experimentID: id)), now))
                if let before, !before.isTerminal { cancelledAt.insert(id) }
            } else {
                // Time passes: retries come due, deadlines pass.
                now += Double(Int.random(in: 1...12, using: &random))
                try observe(try await store.fire(now))
            }
            var open = false
            for index in 0..<experiments {
                if let state = try await store.experiment("e\(index)")?.state, !state.isTerminal { open = true }
            }
            if !open && pending.isEmpty { break }
        }

        for index in 0..<experiments {
            let id = "e\(index)"
            let record = try #require(try await store.experiment(id))
            #expect(record.state.isTerminal, "\(id) never ended: \(record.state)")
            let runs = synthesisAttempts[id] ?? [:]
            #expect(runs.values.allSatisfy { Set($0).count == $0.count }, "\(id): a synthesis attempt sent twice: \(runs)")
            #expect(record.synthesisRequests == runs.count, "\(id): \(record.synthesisRequests) synthesis steps for \(runs.count) runs")
            let batches = try await store.batches(id)
            #expect(record.batchesCompleted == batches.filter { $0.state == .succeeded }.count, "\(id): counted \(record.batchesCompleted)")
            #expect(record.batchesCompleted == (succeeded[id] ?? []).count, "\(id): counted batches are not the distinct successes")
            #expect(batches.allSatisfy { $0.attempt <= record.retry.maxAttempts }, "\(id): too many attempts")
            if record.state == .completed {
                #expect(record.synthesisRequests == 1 && completions[id] == 1, "\(id) completed \(completions[id] ?? 0) times")
                #expect(batches.allSatisfy { $0.state == .succeeded || $0.state == .failed }, "\(id): a batch without an outcome")
                #expect(record.batchesFailed == batches.filter { $0.state == .failed }.count)
                #expect(record.batchesFailed <= tolerances[id]!, "\(id) completed beyond its tolerance")
            } else {
                #expect(completions[id] == nil, "\(id) completed, then ended \(record.state)")
            }
            if record.state == .cancelled { #expect(cancelledAt.contains(id)) }
            // However it ended, no timer of it is left to fire.
            #expect(batches.allSatisfy { $0.dueAt == nil } && record.stepDueAt == nil, "\(id): a timer left running after it ended \(record.state)")
        }
    }
}
