import Foundation
import Testing
import TributaryCore
@testable import TributaryServices

@Suite struct TopologyTests {
    /// The definitions file operators import must be exactly what the services declare.
    @Test func committedDefinitionsFileMatchesTheCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try Data(contentsOf: root.appendingPathComponent("Deploy/rabbitmq-definitions.json"))
        #expect(Array(committed) == (try Topology().definitions()),
                "regenerate with: swift run tributary topology > Deploy/rabbitmq-definitions.json")
    }

    @Test func everyQueueIsBoundAndEveryWorkQueueDeadLetters() {
        let topology = Topology(namespace: "ns")
        let bound = Set(topology.bindings.map(\.queue))
        for queue in topology.queues {
            #expect(queue.name.hasPrefix("ns."))
            #expect(bound.contains(queue.name), "\(queue.name) is not bound")
            #expect(queue.queueType == .quorum)
        }
        for type in TaskType.allCases {
            let queue = topology.queues.first { $0.name == topology.taskQueue(type) }
            #expect(queue?.deadLetterExchange == "ns.dlx")
            #expect(queue?.deliveryLimit == 5)
        }
    }
}

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
