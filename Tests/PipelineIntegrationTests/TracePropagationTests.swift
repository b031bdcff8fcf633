import AMQP
import Foundation
import InMemoryTracing
import Logging
import ServiceLifecycle
import Testing
import Tracing
import TributaryAnalysis
import TributaryClient
import TributaryCore
import TributaryServices
import TributaryStore
import TributaryStores
import TributaryTestSupport
import TributaryTesting

/// One experiment, one trace: the submitter's span is the root, and every task and result
/// (through the orchestrator's durable outbox) continues it.
///
/// The services run in this process so one in-memory tracer sees every hop; the messages
/// still cross the real broker.
@Suite(.serialized, TestBroker.required) struct TracePropagationTests {
    static let batches = 4
    /// pre-test, the batches, synthesis.
    static let tasks = 2 + batches

    @Test func oneTraceIDSpansTheWholeExperiment() async throws {
        let tracer = InMemoryTracer()
        let outcome = try await Self.runExperiment(tracer: tracer) { client, spec in try await client.submit(spec) }
        #expect(outcome.state == .completed, "\(outcome.error ?? "")")

        let spans = tracer.finishedSpans
        let root = try #require(spans.first { $0.operationName == "experiment.submit" })
        #expect(spans.allSatisfy { $0.traceID == root.traceID }, "spans outside the trace: \(spans.filter { $0.traceID != root.traceID }.map(\.operationName))")
        let experiment = try #require(spans.first { $0.operationName == "experiment" })
        #expect(experiment.parentSpanID == root.spanID)
        try Self.expectExperimentShape(spans, under: experiment)

        // Injections: the submitter's request, the experiment's context the orchestrator
        // stores, one per step dispatch (its tasks carry it from the outbox), and each agent's
        // result, which carries the span of the task it answers and no other.
        let injections = tracer.performedContextInjections
        #expect(injections.count == 2 + 3 + Self.tasks, "injections: \(injections.count)")
        #expect(Set(injections.compactMap { $0.values[InMemoryTracer.traceIDKey] }) == [root.traceID])
        let agentSpans = spans.filter { ["pre_test", "analyse_batch", "corpus_synthesis"].contains($0.operationName) }
        let otherSpanIDs = Set(spans.map(\.spanID)).subtracting(agentSpans.map(\.spanID))
        let resultSpanIDs = injections.compactMap { $0.values[InMemoryTracer.spanIDKey] }.filter { !otherSpanIDs.contains($0) }
        #expect(resultSpanIDs.sorted() == agentSpans.map(\.spanID).sorted(), "results' span ids against their tasks' spans")
        // Extractions: the orchestrator's of the request, one per step dispatch, each agent's
        // of its task, and the fan-in's.
        let extracted = tracer.performedContextExtractions.map { $0.context.inMemorySpanContext?.traceID }
        #expect(extracted.count == 1 + 3 + Self.tasks + 1, "extractions: \(extracted.count)")
        #expect(extracted.allSatisfy { $0 == root.traceID }, "\(extracted)")
    }

    /// Any client may publish a request; one without `traceparent` must still be traced.
    @Test func aRequestWithoutTraceContextStartsTheExperimentsTrace() async throws {
        let tracer = InMemoryTracer()
        let outcome = try await Self.runExperiment(tracer: tracer) { client, spec in
            let experimentID = UUID().uuidString.lowercased()
            let subscription = try await client.follow(experimentID: experimentID)
            let body = try MessageCoding.encode(ExperimentRequest(experimentID: experimentID, submittedAt: Date(), experiment: spec))
            var properties = AMQPProperties()
            properties.messageID = experimentID
            properties.correlationID = experimentID
            properties.type = MessageType.experimentRequest.rawValue
            properties.deliveryMode = .persistent
            try await client.connection.publish(
                body, exchange: client.topology.experimentsExchange, routingKey: Topology.submitRoutingKey, properties: properties, mandatory: true)
            return subscription
        }
        #expect(outcome.state == .completed, "\(outcome.error ?? "")")

        let spans = tracer.finishedSpans
        #expect(!spans.contains { $0.operationName == "experiment.submit" })
        let experiment = try #require(spans.first { $0.operationName == "experiment" })
        #expect(experiment.parentSpanID == nil, "the orchestrator's span is the trace's root")
        #expect(spans.allSatisfy { $0.traceID == experiment.traceID }, "\(spans.map { ($0.operationName, $0.traceID) })")
        try Self.expectExperimentShape(spans, under: experiment)
    }

    /// experiment → one span per step dispatch → the agents' spans of that step.
    private static func expectExperimentShape(_ spans: [FinishedInMemorySpan], under experiment: FinishedInMemorySpan) throws {
        for step in ["pre_test", "analyse_batch", "corpus_synthesis"] {
            let dispatches = spans.filter { $0.operationName == "experiment.\(step)" }
            #expect(dispatches.count == 1, "\(step): \(dispatches.count) dispatch spans")
            let dispatch = try #require(dispatches.first)
            #expect(dispatch.parentSpanID == experiment.spanID, "\(step) dispatch under the experiment")
            let tasks = spans.filter { $0.operationName == step }
            #expect(tasks.count == (step == "analyse_batch" ? batches : 1))
            #expect(tasks.allSatisfy { $0.parentSpanID == dispatch.spanID }, "\(step) tasks under their dispatch")
        }
        let indices = spans.filter { $0.operationName == "analyse_batch" }.compactMap { span -> Int64? in
            if case .int64(let index)? = span.attributes["tributary.batch_index"]?.toSpanAttribute() { return index }
            return nil
        }
        #expect(Set(indices) == Set((0..<Int64(batches)).map { $0 }))
        #expect(spans.filter { $0.operationName == "fan_in" }.count == 1)
    }

    /// Runs the services in this process under `tracer`, submits with `submit`, and waits
    /// for the outcome.
    private static func runExperiment(
        tracer: InMemoryTracer, submit: @escaping @Sendable (TributaryClient, ExperimentSpec) async throws -> ExperimentSubscription
    ) async throws -> ExperimentStatus {
        let url = try TestBroker.requireURL()
        let namespace = "test-trace-\(UInt32.random(in: 0...UInt32.max))"
        let topology = Topology(namespace: namespace)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(namespace).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test.trace")

        func amqp(_ name: String) throws -> AMQPConfiguration {
            var configuration = try AMQPConfiguration(url: url)
            configuration.connectionName = "\(namespace)-\(name)"
            return configuration
        }
        var orchestrator = OrchestratorConfiguration(amqp: try amqp("orchestrator"), stores: ExperimentStores())
        orchestrator.topology = topology
        orchestrator.database = "\(directory)/orchestrator.sqlite"
        orchestrator.storeOptions.durability = .normal
        func agent(_ name: String) throws -> AgentConfiguration {
            var configuration = AgentConfiguration(amqp: try amqp(name), workerID: name)
            configuration.topology = topology
            return configuration
        }
        let group = ServiceGroup(
            services: [
                OrchestratorService(configuration: orchestrator, logger: logger),
                AgentService(configuration: try agent("pre-test"), handler: PreTestHandler(), logger: logger),
                AgentService(configuration: try agent("analyser"), handler: AnalyseBatchHandler(), logger: logger),
                AgentService(configuration: try agent("synthesis"), handler: CorpusSynthesisHandler(), logger: logger),
            ], logger: logger)

        let connection = try await AMQPConnection.connect(try amqp("client"))
        let client = TributaryClient(connection: connection, topology: topology)
        try await client.prepare()
        let outcome = try await withTracer(tracer) {
            try await withThrowingTaskGroup { tasks in
                tasks.addTask { try await group.run() }
                let subscription = try await submit(client, Corpus.spec(name: "traced", documents: batches, batchSize: 1))
                let outcome = try await subscription.outcome(within: .seconds(60))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return outcome
            }
        }
        try? await topology.delete(on: connection)
        await connection.close()
        return outcome
    }
}
