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

    /// Each analyser kind's lane is a work queue of its own, bound by its routing key.
    @Test func everyAnalyserKindHasALane() {
        let topology = Topology(namespace: "ns")
        for kind in AnalyserSettings.Kind.allCases {
            let name = "ns.tasks.analyse_batch.\(kind.rawValue)"
            #expect(topology.analysisQueue(kind) == name)
            #expect(topology.queues.first { $0.name == name }?.deadLetterExchange == "ns.dlx")
            let binding = topology.bindings.first { $0.queue == name }
            #expect(binding?.exchange == "ns.tasks" && binding?.routingKey == AnalysisLane.routingKey(for: kind))
        }
        #expect(AnalysisLane.routingKey(for: nil) == "analyse_batch")
    }
}
