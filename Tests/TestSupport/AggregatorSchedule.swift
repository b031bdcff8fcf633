import Foundation
import Testing
import TributaryCore

/// Random schedules of many experiments at once: completion order shuffled, every result
/// delivered one to three times, late duplicates after completion, experiments interleaved.
/// Shared by the property tests of the pure orchestrator and of every store.
package enum AggregatorSchedule {
    /// Runs a randomized schedule. `apply` handles one message (a fresh orchestrator each time,
    /// so every step is a restart) and returns what it sent; `record` reads the stored state.
    package static func run(
        _ random: inout SplitMix, experiments: Int,
        apply: (Orchestrator.Input) async throws -> [OutboundMessage],
        record: (String) async throws -> ExperimentRecord?
    ) async throws {
        var pending: [Orchestrator.Input] = (0..<experiments).map {
            .request(Fixtures.request("e\($0)", documents: Int.random(in: 1...25, using: &random), batchSize: Int.random(in: 1...4, using: &random)))
        }
        var synthesisTasks: [String: Int] = [:]
        var completedEvents: [String: Int] = [:]
        var batchCounts: [String: Int] = [:]
        var analysedBeforeSynthesis: [String: Set<Int>] = [:]
        var steps = 0
        while !pending.isEmpty {
            steps += 1
            #expect(steps < 100_000, "schedule did not converge")
            let input = pending.remove(at: Int.random(in: 0..<pending.count, using: &random))
            if case .result(let result) = input, result.taskType == .analyseBatch, let index = result.batchIndex,
                synthesisTasks[result.experimentID] == nil
            {
                analysedBeforeSynthesis[result.experimentID, default: []].insert(index)
            }
            let out = try await apply(input)
            for event in Fixtures.events(in: out) where event.state == .completed {
                completedEvents[event.experimentID, default: 0] += 1
            }
            for task in Fixtures.tasks(in: out) {
                if task.taskType == .corpusSynthesis {
                    synthesisTasks[task.experimentID, default: 0] += 1
                    #expect(
                        analysedBeforeSynthesis[task.experimentID]?.count == batchCounts[task.experimentID],
                        "synthesis requested before every batch was in")
                }
                if let count = task.batchCount { batchCounts[task.experimentID] = count }
                // Agents may deliver a result more than once, in any order, possibly very late.
                let copies = Int.random(in: 1...3, using: &random)
                for _ in 0..<copies { pending.append(.result(Fixtures.result(for: task))) }
            }
        }
        for id in (0..<experiments).map({ "e\($0)" }) {
            #expect(synthesisTasks[id] == 1, "experiment \(id): \(synthesisTasks[id] ?? 0) synthesis requests")
            #expect(completedEvents[id] == 1, "experiment \(id): \(completedEvents[id] ?? 0) completions")
            let record = try #require(try await record(id))
            #expect(record.state == .completed)
            #expect(record.batchesCompleted == record.batchCount)
            #expect(record.synthesisRequests == 1)
        }
    }
}
