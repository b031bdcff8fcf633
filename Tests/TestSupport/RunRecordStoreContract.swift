import Foundation
import Testing
import TributaryCore
import TributaryStore

/// Every run is kept: the store pages through all of them, failed and cancelled ones too,
/// newest first, without repeating or skipping one. Checked on each backend by its own tests.
package enum RunRecordStoreContract {
    package static func check(_ store: any ExperimentStore) async throws {
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        let orchestrator = Orchestrator()
        var broken = Fixtures.spec(documents: 2, batchSize: 1)
        broken.maxInFlight = 0
        // Seven runs a second apart, two of them at the same moment: ties go by id.
        let runs: [(id: String, spec: ExperimentSpec, at: Date)] = (0..<7).map { index in
            let at = start + Double(min(index, 5))
            return ("run-\(index)", index == 2 ? broken : Fixtures.spec(documents: 2, batchSize: 1), at)
        }
        for run in runs {
            _ = try await store.transaction(locking: [run.id]) { try orchestrator.handle(.request(Fixtures.request(run.id, run.spec)), at: run.at, in: $0) }
        }
        _ = try await store.transaction(locking: ["run-4"]) {
            try orchestrator.handle(.cancel(ExperimentControlRequest(experimentID: "run-4")), at: start + 10, in: $0)
        }

        var pages: [[String]] = []
        for offset in stride(from: 0, to: 8, by: 3) {
            pages.append(try await store.recentExperiments(state: nil, limit: 3, offset: offset).map(\.id))
        }
        #expect(pages == [["run-6", "run-5", "run-4"], ["run-3", "run-2", "run-1"], ["run-0"]])
        #expect(try await store.recentExperiments(state: .failed, limit: 10, offset: 0).map(\.id) == ["run-2"])
        #expect(try await store.recentExperiments(state: .cancelled, limit: 10, offset: 0).map(\.id) == ["run-4"])
        #expect(try await store.recentExperiments(state: .preTesting, limit: 2, offset: 1).map(\.id) == ["run-5", "run-3"])
    }
}
