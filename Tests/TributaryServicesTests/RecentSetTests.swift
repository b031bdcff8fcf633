import Testing

@testable import TributaryServices

@Suite struct RecentSetTests {
    @Test func forgetsTheOldestBeyondCapacity() {
        var set = RecentSet(capacity: 3)
        for key in ["a", "b", "c", "a", "d"] { set.insert(key) }
        #expect(!set.contains("a"))
        #expect(set.contains("b") && set.contains("c") && set.contains("d"))
    }

    @Test func staysBoundedOverManyInserts() {
        var set = RecentSet(capacity: 100)
        for index in 0..<10_000 { set.insert("k\(index)") }
        #expect(set.contains("k9999"))
        #expect(!set.contains("k9899"))
        #expect(set.contains("k9900"))
    }
}
