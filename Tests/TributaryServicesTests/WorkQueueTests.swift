import Testing
import TributaryTestSupport
import TributaryTesting

@testable import TributaryServices

@Suite struct WorkQueueTests {
    /// What each item is, and how many deliveries it carries.
    private static func describe(_ work: OrchestratorService.Work?) -> String {
        switch work {
        case .deliveries(let source, let deliveries)?: "\(source)×\(deliveries.count)"
        case .timers?: "timers"
        case .refused?: "refused"
        case nil: "end"
        }
    }

    private static func drain(_ queue: OrchestratorService.WorkQueue) async -> [String] {
        var taken: [String] = []
        while true {
            let next = await queue.next()
            taken.append(describe(next))
            if next == nil { return taken }
        }
    }

    /// Work that waits joins the item before it when both are of the same kind and source;
    /// the order of everything else is kept.
    @Test func waitingWorkOfTheSameKindJoinsInOrder() async {
        let queue = OrchestratorService.WorkQueue()
        for work: OrchestratorService.Work in [
            .deliveries(source: "results", []), .deliveries(source: "results", []), .timers, .timers,
            .deliveries(source: "requests", []), .deliveries(source: "results", []),
        ] {
            #expect(queue.yield(work))
        }
        queue.finish()
        #expect(!queue.yield(.timers))
        #expect(await Self.drain(queue) == ["results×0", "timers", "requests×0", "results×0", "end"])
    }

    @Test func aWaitingTakerGetsTheNextItem() async throws {
        let queue = OrchestratorService.WorkQueue()
        let taker = Task { Self.describe(await queue.next()) }
        queue.yield(.timers)
        #expect(try await withDeadline(.seconds(10), "the taker") { await taker.value } == "timers")
    }

    /// A cancelled event loop stops waiting, and the queue takes nothing more.
    @Test func cancellingTheTakerEndsTheQueue() async throws {
        let queue = OrchestratorService.WorkQueue()
        let taker = Task { Self.describe(await queue.next()) }
        taker.cancel()
        #expect(try await withDeadline(.seconds(10), "the cancelled taker") { await taker.value } == "end")
        #expect(!queue.yield(.timers))
    }
}
