import AMQP
import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// What an operator sees of a running pipeline: every service's `/metrics` and `/readyz`,
/// scraped over HTTP from the real executables.
@Suite(.serialized, TestBroker.required) struct ObservabilityEndToEndTests {
    @Test func metricsCountWhatHappenedAndReadinessFollowsTheBroker() async throws {
        try await withPipeline { harness in
            let proxy = try BrokerProxy(brokerURL: harness.brokerURL, logDirectory: harness.directory)
            harness.serviceBrokerURL = proxy.url
            // The broker comes last: every service waits for it, not ready meanwhile.
            try await proxy.cut()
            try harness.startPipeline(analysers: 2)
            let services = harness.processes
            for service in services { try await expectReadiness(of: service, 503, within: .seconds(30)) }
            let waiting = try await HTTPProbe.get("http://127.0.0.1:\(try #require(services[0].httpPort))/readyz")
            #expect(waiting.body.contains("waiting for the broker"), "\(waiting.body)")
            try proxy.start()
            for service in services { try await expectReadiness(of: service, 200, within: .seconds(30)) }

            let documents = 9
            let subscription = try await harness.client.submit(Corpus.spec(name: "observed", documents: documents, batchSize: 2))
            let outcome = try await subscription.outcome(within: .seconds(60))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")")
            let batches = outcome.batchCount
            #expect(batches == 5)
            // A message no one can read: dead-lettered by the orchestrator, counted with its reason.
            try await harness.connection.publish(
                Array("not json".utf8), exchange: harness.topology.experimentsExchange, routingKey: Topology.submitRoutingKey,
                properties: AMQPProperties(messageID: "garbage"))

            let orchestrator = try #require(harness.orchestrator)
            try await expectMetrics(
                of: orchestrator,
                [
                    #"tributary_task_results_total{type="pre_test",status="completed"}"#: 1,
                    #"tributary_task_results_total{type="analyse_batch",status="completed"}"#: Double(batches),
                    #"tributary_task_results_total{type="analyse_batch",status="failed"}"#: 0,
                    #"tributary_task_results_total{type="corpus_synthesis",status="completed"}"#: 1,
                    #"tributary_tasks_published_total{type="pre_test"}"#: 1,
                    #"tributary_tasks_published_total{type="analyse_batch"}"#: Double(batches),
                    #"tributary_tasks_published_total{type="corpus_synthesis"}"#: 1,
                    #"tributary_task_retries_total{type="analyse_batch"}"#: 0,
                    "tributary_duplicates_ignored_total": 0,
                    "tributary_outbox_pending": 0,
                    #"tributary_experiments{state="completed"}"#: 1,
                    #"tributary_experiments{state="analysing"}"#: 0,
                    "tributary_fan_in_seconds_count": 1,
                    #"tributary_dead_letters_total{queue="\#(harness.topology.requestsQueue)",reason="malformed"}"#: 1,
                    "tributary_amqp_reconnects_total": 0,
                ])
            let analysers = services.filter { $0.name.hasPrefix("analyse-batch-agent") }
            var handled = 0.0
            for analyser in analysers {
                let samples = try await scrape(analyser)
                handled += samples[#"tributary_task_duration_seconds_count{type="analyse_batch"}"#] ?? 0
                #expect(samples[#"tributary_agent_in_flight{type="analyse_batch"}"#] == 0)
            }
            #expect(handled == Double(batches), "analysers handled \(handled) tasks for \(batches) batches")
            let synthesiser = try #require(services.first { $0.name == "corpus-synthesis-agent" })
            try await expectMetrics(of: synthesiser, [#"tributary_task_duration_seconds_count{type="corpus_synthesis"}"#: 1])

            // The broker goes away: every service says so within seconds, and recovers when it returns.
            try await proxy.cut()
            for service in services { try await expectReadiness(of: service, 503, within: .seconds(5)) }
            try proxy.start()
            for service in services { try await expectReadiness(of: service, 200, within: .seconds(30)) }
            for service in services {
                let reconnects = try await scrape(service)["tributary_amqp_reconnects_total"] ?? 0
                #expect(reconnects >= 1, "\(service.name) counted \(reconnects) reconnects")
            }
            let health = try await HTTPProbe.get("http://127.0.0.1:\(try #require(orchestrator.httpPort))/healthz")
            #expect(health.status == 200)
            try await proxy.cut()
        }
    }

    /// With `OTEL_EXPORTER_OTLP_ENDPOINT` set, every service exports its spans, all under the
    /// trace id the submitter started and the experiment's status reports.
    @Test func servicesExportTheExperimentsTraceOverOTLP() async throws {
        try await withPipeline { harness in
            let receiver = OTLPReceiver()
            try await withThrowingTaskGroup { group in
                let (listening, port) = AsyncStream<Int>.makeStream()
                group.addTask { try await receiver.run { port.yield($0) } }
                let collector = try await withDeadline(.seconds(10), "the OTLP receiver to listen") {
                    var ports = listening.makeAsyncIterator()
                    return try #require(await ports.next())
                }
                harness.serviceEnvironment = [
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector)", "OTEL_BSP_SCHEDULE_DELAY": "100",
                ]
                try harness.startPipeline(analysers: 1)
                let subscription = try await harness.client.submit(Corpus.spec(name: "exported", documents: 3, batchSize: 1))
                let outcome = try await subscription.outcome(within: .seconds(60))
                #expect(outcome.state == .completed, "\(outcome.error ?? "")")
                let traceID = try #require(outcome.traceID, "the status names no trace id")
                let traceBytes = try #require(hexBytes(traceID))
                // Each service names itself (`service.name`) in the batches it exports.
                let services = ["orchestrator", "pre-test-agent", "analyse-batch-agent", "corpus-synthesis-agent"]
                try await eventually(within: .seconds(20), "spans of every service under trace \(traceID)") {
                    let bodies = receiver.received.filter { $0.firstRange(of: traceBytes) != nil }
                    return services.allSatisfy { name in bodies.contains { $0.firstRange(of: Array(name.utf8)) != nil } }
                }
                group.cancelAll()
            }
        }
    }

    private func hexBytes(_ hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }

    private func scrape(_ service: ServiceProcess) async throws -> [String: Double] {
        let port = try #require(service.httpPort)
        let response = try await HTTPProbe.get("http://127.0.0.1:\(port)/metrics")
        #expect(response.status == 200)
        return HTTPProbe.samples(response.body)
    }

    /// Scrapes until every expected sample has its value (the counters of a commit are
    /// recorded just after the client can already see its event), then checks them.
    private func expectMetrics(
        of service: ServiceProcess, _ expected: [String: Double], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let matches: @Sendable ([String: Double]) -> Bool = { samples in expected.allSatisfy { samples[$0.key] == $0.value } }
        try? await eventually(within: .seconds(10), "\(service.name)'s metrics") { matches(try await scrape(service)) }
        let samples = try await scrape(service)
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(samples[name] == value, "\(service.name): \(name)", sourceLocation: sourceLocation)
        }
    }

    private func expectReadiness(of service: ServiceProcess, _ status: Int, within limit: Duration) async throws {
        let port = try #require(service.httpPort)
        try await eventually(within: limit, "\(service.name)'s /readyz to answer \(status)") {
            (try? await HTTPProbe.get("http://127.0.0.1:\(port)/readyz", timeout: .seconds(2)))?.status == status
        }
    }
}
