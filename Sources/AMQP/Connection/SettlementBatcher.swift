/// Coalesces the acks of one channel into as few `basic.ack` frames as is correct.
///
/// `multiple` acks every outstanding tag up to the one named, so it may only be used for
/// a prefix of the outstanding tags that the application has acked entirely; acks beyond
/// a gap are sent one by one.
struct SettlementBatcher {
    /// Tags delivered and not yet settled with the broker, ascending, live from `head`.
    private var outstanding: [UInt64] = []
    private var head = 0
    private var acked: Set<UInt64> = []

    var outstandingCount: Int { outstanding.count - head }

    mutating func delivered(_ tag: UInt64) {
        outstanding.append(tag)
    }

    mutating func ack(_ tag: UInt64) {
        acked.insert(tag)
    }

    /// Forgets a tag settled on its own (nack or reject).
    mutating func settledIndividually(_ tag: UInt64) {
        remove(tag)
        acked.remove(tag)
    }

    /// What to send now: one `multiple` ack for the longest fully acked prefix, then single acks.
    mutating func flush() -> (upTo: UInt64?, singles: [UInt64]) {
        guard !acked.isEmpty else { return (nil, []) }
        var upTo: UInt64?
        while head < outstanding.count, acked.remove(outstanding[head]) != nil {
            upTo = outstanding[head]
            head += 1
        }
        let singles = acked.sorted()
        acked.removeAll(keepingCapacity: true)
        for tag in singles { remove(tag) }
        if head > 1024, head * 2 > outstanding.count {
            outstanding.removeFirst(head)
            head = 0
        }
        return (upTo, singles)
    }

    private mutating func remove(_ tag: UInt64) {
        var low = head
        var high = outstanding.count
        while low < high {
            let mid = (low + high) / 2
            if outstanding[mid] < tag { low = mid + 1 } else { high = mid }
        }
        guard low < outstanding.count, outstanding[low] == tag else { return }
        if low == head { head += 1 } else { outstanding.remove(at: low) }
    }
}
