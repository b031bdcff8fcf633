import Foundation
import Testing
import TributaryCore
import TributaryTestSupport

/// Random schedules of many experiments at once: completion order shuffled, every result
/// delivered one to three times, late duplicates after completion, experiments interleaved.
/// Whatever the schedule, each experiment gets exactly one synthesis request, only after all
/// of its distinct batches are in, and completes exactly once.
@Suite struct AggregatorPropertyTests {
    @Test(arguments: 0..<40)
    func anyScheduleYieldsExactlyOneSynthesisPerExperiment(seed: Int) async throws {
        var random = SplitMix(seed: UInt64(seed))
        let store = InMemoryExperimentStore()
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        try await AggregatorSchedule.run(
            &random, experiments: 4,
            apply: { input in
                _ = try Orchestrator().handle(input, at: now, in: store)
                return store.drainOutbox()
            }, record: { try store.experiment(id: $0) })
    }
}

@Suite struct ResiliencePropertyTests {
    @Test(arguments: 0..<60)
    func unreliableWorkNeverHangsOrSynthesisesTwice(seed: Int) async throws {
        var random = SplitMix(seed: UInt64(seed) &+ 7_000)
        let store = InMemoryExperimentStore()
        try await ResilienceSchedule.run(
            &random, experiments: 3,
            store: ResilienceSchedule.Store(
                apply: { input, now in
                    _ = try Orchestrator().handle(input, at: now, in: store)
                    return store.drainOutbox()
                },
                fire: { now in
                    _ = try Orchestrator().fireTimers(at: now, in: store)
                    return store.drainOutbox()
                },
                experiment: { try store.experiment(id: $0) },
                batches: { id in try store.batches(experimentID: id, in: Set(BatchStatus.State.allCases), limit: .max) }))
    }
}
