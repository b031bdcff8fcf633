import Foundation
import Testing
import TributaryCore
import TributaryTestSupport

/// The aggregator's random schedule (shuffled completions, every result delivered one to
/// three times, late duplicates) worked by several orchestrators at once: each takes the next
/// one to four messages from one shared queue and applies them in one transaction with its
/// own store connection (a group commit), so copies of one result land on different
/// orchestrators at the same moment.
actor ConcurrentSchedule {
    private var pending: [Orchestrator.Input]
    private var random: SplitMix
    private var applying = 0
    private var waiting: [CheckedContinuation<Orchestrator.Input?, Never>] = []
    private(set) var synthesisTasks: [String: Int] = [:]
    private(set) var completedEvents: [String: Int] = [:]
    private var batchCounts: [String: Int] = [:]
    /// Analysis results taken before the experiment's synthesis task appeared.
    private var takenBeforeSynthesis: [String: Set<Int>] = [:]
    private(set) var steps = 0
    private(set) var violations: [String] = []

    init(seed: UInt64, experiments: Int) {
        var random = SplitMix(seed: seed)
        // Some experiments keep only a few batches out at a time, so each result sends the next.
        pending = (0..<experiments).map {
            let spec = Fixtures.spec(
                documents: Int.random(in: 1...25, using: &random), batchSize: Int.random(in: 1...4, using: &random),
                maxInFlight: Bool.random(using: &random) ? Int.random(in: 1...3, using: &random) : ExperimentSpec.defaultMaxInFlight)
            return .request(Fixtures.request("e\($0)", spec))
        }
        self.random = random
    }

    /// The next messages (one to four), or nil once nothing is left and nobody can add more.
    func take() async -> [Orchestrator.Input]? {
        if pending.isEmpty {
            if applying == 0 { return nil }
            guard let first = await withCheckedContinuation({ waiting.append($0) }) else { return nil }
            return [first]
        }
        var inputs = [next()]
        for _ in 0..<Int.random(in: 0...3, using: &random) where !pending.isEmpty { inputs.append(next()) }
        return inputs
    }

    private func next() -> Orchestrator.Input {
        applying += 1
        steps += 1
        let input = pending.remove(at: Int.random(in: 0..<pending.count, using: &random))
        if case .result(let result) = input, result.taskType == .analyseBatch, let index = result.batchIndex, synthesisTasks[result.experimentID] == nil {
            takenBeforeSynthesis[result.experimentID, default: []].insert(index)
        }
        return input
    }

    /// Records what applying a message sent, queues the results its tasks would bring, and
    /// hands work to orchestrators waiting for it.
    func finished(_ count: Int, sending out: [OutboundMessage]) {
        applying -= count
        for event in Fixtures.events(in: out) where event.state == .completed { completedEvents[event.experimentID, default: 0] += 1 }
        for task in Fixtures.tasks(in: out) {
            if task.taskType == .corpusSynthesis {
                synthesisTasks[task.experimentID, default: 0] += 1
                if takenBeforeSynthesis[task.experimentID]?.count != batchCounts[task.experimentID] {
                    violations.append("\(task.experimentID): synthesis requested before every batch was in")
                }
            }
            if let count = task.batchCount { batchCounts[task.experimentID] = count }
            for _ in 0..<Int.random(in: 1...3, using: &random) { pending.append(.result(Fixtures.result(for: task))) }
        }
        while !waiting.isEmpty, !pending.isEmpty { waiting.removeFirst().resume(returning: next()) }
        if pending.isEmpty, applying == 0 {
            for waiter in waiting { waiter.resume(returning: nil) }
            waiting.removeAll()
        }
    }

    /// Runs `workers` orchestrators until the schedule is done. `apply` is worker `i`'s.
    static func run(
        _ schedule: ConcurrentSchedule, workers: Int, apply: @escaping @Sendable (Int, [Orchestrator.Input]) async throws -> [OutboundMessage]
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    while let inputs = await schedule.take() {
                        do {
                            await schedule.finished(inputs.count, sending: try await apply(worker, inputs))
                        } catch {
                            await schedule.finished(inputs.count, sending: [])
                            throw error
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
