import Testing
import TributaryTestSupport

@testable import AMQP

@Suite struct SettlementBatcherTests {
    @Test func contiguousAcksBecomeOneMultipleAck() {
        var batcher = SettlementBatcher()
        for tag in 1...5 as ClosedRange<UInt64> { batcher.delivered(tag) }
        for tag in 1...3 as ClosedRange<UInt64> { batcher.ack(tag) }
        let flushed = batcher.flush()
        #expect(flushed.upTo == 3)
        #expect(flushed.singles.isEmpty)
        #expect(batcher.outstandingCount == 2)
    }

    @Test func ackBeyondAGapIsSentAlone() {
        var batcher = SettlementBatcher()
        for tag in 1...5 as ClosedRange<UInt64> { batcher.delivered(tag) }
        batcher.ack(1)
        batcher.ack(2)
        batcher.ack(4)
        let flushed = batcher.flush()
        #expect(flushed.upTo == 2)
        #expect(flushed.singles == [4])
        // Tag 3 is still held by the application: a later multiple ack must stop before it is acked.
        batcher.ack(5)
        let next = batcher.flush()
        #expect(next.upTo == nil)
        #expect(next.singles == [5])
        batcher.ack(3)
        #expect(batcher.flush().upTo == 3)
        #expect(batcher.outstandingCount == 0)
    }

    @Test func individuallySettledTagsDoNotBlockThePrefix() {
        var batcher = SettlementBatcher()
        for tag in 1...4 as ClosedRange<UInt64> { batcher.delivered(tag) }
        batcher.settledIndividually(1)
        batcher.ack(2)
        batcher.ack(3)
        #expect(batcher.flush().upTo == 3)
        #expect(batcher.outstandingCount == 1)
    }

    /// Whatever order the application acks in, every delivered tag is settled exactly once
    /// and a multiple ack never covers a tag that was not acked.
    @Test(arguments: 0..<50)
    func randomOrdersSettleEveryTagExactlyOnce(seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        var batcher = SettlementBatcher()
        let count = 200
        for tag in 1...UInt64(count) { batcher.delivered(tag) }
        var remaining = Array(1...UInt64(count))
        remaining.shuffle(using: &generator)
        var acked: Set<UInt64> = []
        var settled: Set<UInt64> = []
        var lowestUnsettled: UInt64 = 1
        while !remaining.isEmpty {
            let take = Int.random(in: 1...min(20, remaining.count), using: &generator)
            for tag in remaining.prefix(take) {
                batcher.ack(tag)
                acked.insert(tag)
            }
            remaining.removeFirst(take)
            let (upTo, singles) = batcher.flush()
            if let upTo {
                for tag in lowestUnsettled...upTo where !settled.contains(tag) {
                    #expect(acked.contains(tag), "multiple ack covered tag \(tag) that was never acked")
                    settled.insert(tag)
                }
            }
            for tag in singles {
                #expect(settled.insert(tag).inserted, "tag \(tag) settled twice")
            }
            while settled.contains(lowestUnsettled) { lowestUnsettled += 1 }
        }
        #expect(settled.count == count)
        #expect(batcher.outstandingCount == 0)
    }
}
