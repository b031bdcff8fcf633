import Foundation
import Testing
import TributaryCore
import TributaryStore

/// The batch grid as every store counts it (`batchStateCounts`): the same cells as the grid
/// from every batch record, for 40 batches of which 5 are counted.
package enum BatchGridStoreContract {
    package static func check(_ store: any ExperimentStore) async throws {
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        let request = Fixtures.request("e1", Fixtures.spec(documents: 40, batchSize: 1))
        let (_, requested) = try await store.transaction(locking: ["e1"]) { try Orchestrator().handle(.request(request), at: now, in: $0) }
        let preTest = try #require(Fixtures.tasks(in: requested.map(\.message)).first)
        let (_, planned) = try await store.transaction(locking: ["e1"]) {
            try Orchestrator().handle(.result(Fixtures.result(for: preTest)), at: now, in: $0)
        }
        for task in Fixtures.tasks(in: planned.map(\.message)).prefix(5) {
            _ = try await store.transaction(locking: ["e1"]) { try Orchestrator().handle(.result(Fixtures.result(for: task)), at: now, in: $0) }
        }
        let batches = try await store.batches(experimentID: "e1", in: Set(BatchStatus.State.allCases), limit: .max)
        let size = BatchMapReply.cellSize(batchCount: 40, cells: 6)
        let grid = BatchMapReply.cells(try await store.batchStateCounts(experimentID: "e1", cellSize: size), batchCount: 40, cells: 6)
        // The same cells counted here, one batch record at a time.
        var expected = BatchMapReply.cells([], batchCount: 40, cells: 6)
        for batch in batches { expected[batch.index / size].counts[batch.state.rawValue, default: 0] += 1 }
        #expect(grid == expected)
        #expect(grid.count == 6 && grid.reduce(0) { $0 + ($1.counts["succeeded"] ?? 0) } == 5)
    }
}
