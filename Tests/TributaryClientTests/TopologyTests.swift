import AMQP
import Foundation
import Testing
import TributaryCore
import TributaryTestSupport

@testable import TributaryClient

@Suite struct TopologyTests {
    /// The definitions file operators import must be exactly what the services declare.
    @Test func committedDefinitionsFileMatchesTheCode() throws {
        let committed = try Data(contentsOf: Repository.root.appendingPathComponent("Deploy/rabbitmq-definitions.json"))
        #expect(
            Array(committed) == (try Topology().definitions()),
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
