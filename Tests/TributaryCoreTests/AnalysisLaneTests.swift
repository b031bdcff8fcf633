import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

@Suite struct AnalysisLaneTests {
    let orchestrator = Orchestrator()
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// The routing keys and payloads of an experiment's analyse tasks.
    func analyseTasks(_ analyser: AnalyserSettings?) throws -> [(routingKey: String, payload: BatchPayload)] {
        let store = InMemoryExperimentStore()
        var spec = Fixtures.spec(documents: 4, batchSize: 2)
        spec.researchQuestion = "Q?"
        spec.analyser = analyser
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        _ = try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: now, in: store)
        return try store.drainOutbox().filter { $0.destination == .tasks }.map { message in
            let task = try MessageCoding.decode(TaskMessage.self, from: message.body)
            guard case .analyseBatch(let payload) = task.payload else { throw ContractError(.malformed, "not a batch") }
            return (message.routingKey, payload)
        }
    }

    @Test func experimentsWithoutAnAnalyserUseTheDefaultLaneAndTheirTasksAreUnchanged() throws {
        let tasks = try analyseTasks(nil)
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.routingKey == "analyse_batch" })
        #expect(tasks.allSatisfy { $0.payload.analyser == nil && $0.payload.researchQuestion == nil })
    }

    @Test(arguments: AnalyserSettings.Kind.allCases)
    func eachKindHasALaneOfItsOwnAndItsTasksCarryTheSettings(kind: AnalyserSettings.Kind) throws {
        let settings = AnalyserSettings(kind: kind, model: kind == .llm ? "m" : nil, seed: 3)
        let tasks = try analyseTasks(settings)
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.routingKey == "analyse_batch.\(kind.rawValue)" })
        #expect(tasks.allSatisfy { $0.payload.analyser == settings && $0.payload.researchQuestion == "Q?" })
    }

    @Test func retriesGoToTheSameLane() throws {
        let store = InMemoryExperimentStore()
        var spec = Fixtures.spec(documents: 2, batchSize: 2, retry: RetryPolicy(maxAttempts: 2, initialBackoff: .seconds(1), maxBackoff: .seconds(1)))
        spec.analyser = AnalyserSettings(kind: .llm, model: "m")
        _ = try orchestrator.handle(.request(Fixtures.request("e1", spec)), at: now, in: store)
        let preTest = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        _ = try orchestrator.handle(.result(Fixtures.result(for: preTest)), at: now, in: store)
        let batch = try #require(Fixtures.tasks(in: store.drainOutbox()).first)
        _ = try orchestrator.handle(.result(Fixtures.result(for: batch, status: .failed)), at: now, in: store)
        _ = try orchestrator.fireTimers(at: now + 5, in: store)
        let resent = store.drainOutbox().filter { $0.destination == .tasks }
        #expect(resent.map(\.routingKey) == ["analyse_batch.llm"])
    }
}
