import Testing
import TributaryCore
import TributaryTestSupport

@Suite struct BatchPlannerTests {
    func docs(_ sizes: [Int]) -> [Document] {
        sizes.enumerated().map { Document(id: "d\($0.offset)", text: String(repeating: "x", count: $0.element)) }
    }

    @Test func splitsByCount() {
        #expect(BatchPlanner.plan(docs([1, 1, 1, 1, 1]), batchSize: 2, maxBatchBytes: 100) == [["d0", "d1"], ["d2", "d3"], ["d4"]])
    }

    @Test func closesABatchEarlyRatherThanExceedTheByteCap() {
        #expect(BatchPlanner.plan(docs([40, 40, 40, 10]), batchSize: 10, maxBatchBytes: 90) == [["d0", "d1"], ["d2", "d3"]])
    }

    @Test func anOversizedDocumentGetsABatchOfItsOwn() {
        #expect(BatchPlanner.plan(docs([5, 500, 5]), batchSize: 10, maxBatchBytes: 100) == [["d0"], ["d1"], ["d2"]])
    }

    @Test func emptyCorpusHasNoBatches() {
        #expect(BatchPlanner.plan([], batchSize: 3, maxBatchBytes: 10).isEmpty)
    }
}
