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

/// One experiment, one trace: the submitter's span is the root, and every task and result
/// (through the orchestrator's durable outbox) continues it.
///
/// The services run in this process so one in-memory tracer sees every hop; the messages
/// still cross the real broker.
@Suite(.serialized, TestBroker.required) struct TracePropagationTests {
    @Test func oneTraceIDSpansTheWholeExperiment() async throws {
        let url = try TestBroker.requireURL()
        let namespace = "test-trace-\(UInt32.random(in: 0...UInt32.max))"
        let topology = Topology(namespace: namespace)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(namespace).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test.trace")
        let tracer = InMemoryTracer()

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
        let batches = 4
        let outcome = try await withTracer(tracer) {
            try await withThrowingTaskGroup { tasks in
                tasks.addTask { try await group.run() }
                let subscription = try await client.submit(Corpus.spec(name: "traced", documents: batches, batchSize: 1))
                let outcome = try await subscription.outcome(within: .seconds(60))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return outcome
            }
        }
        try? await topology.delete(on: connection)
        await connection.close()
        #expect(outcome.state == .completed, "\(outcome.error ?? "")")

        let spans = tracer.finishedSpans
        let root = try #require(spans.first { $0.operationName == "experiment.submit" })
        #expect(spans.allSatisfy { $0.traceID == root.traceID }, "spans outside the trace: \(spans.filter { $0.traceID != root.traceID }.map(\.operationName))")
        #expect(spans.filter { $0.operationName == "pre_test" }.count == 1)
        let analysed = spans.filter { $0.operationName == "analyse_batch" }
        let indices = analysed.compactMap { span -> Int64? in
            if case .int64(let index)? = span.attributes["tributary.batch_index"]?.toSpanAttribute() { return index }
            return nil
        }
        #expect(Set(indices) == Set((0..<Int64(batches)).map { $0 }))
        #expect(spans.filter { $0.operationName == "fan_in" }.count == 1)
        #expect(spans.filter { $0.operationName == "corpus_synthesis" }.count == 1)

        // Injections: the submitter's request, the context the orchestrator stores with the
        // experiment (every task carries it from the outbox), and each agent's result.
        let tasks = 2 + batches
        let injected = tracer.performedContextInjections.compactMap { $0.values[InMemoryTracer.traceIDKey] }
        #expect(injected.count == 2 + tasks, "injections: \(injected.count)")
        #expect(Set(injected) == [root.traceID])
        // Extractions: the orchestrator's of the request, each agent's of its task, and the fan-in's.
        let extracted = tracer.performedContextExtractions.map { $0.context.inMemorySpanContext?.traceID }
        #expect(extracted.count == 1 + tasks + 1, "extractions: \(extracted.count)")
        #expect(extracted.allSatisfy { $0 == root.traceID }, "\(extracted)")
    }
}
