import Foundation
import Synchronization
import Testing
import TributaryObservability

@Suite struct ReadinessTests {
    @Test func notReadyUntilSomethingIsRegistered() {
        let report = Readiness().evaluate()
        #expect(!report.isReady)
        #expect(report.reason == "starting: nothing is connected yet")
    }

    @Test func checksAreEvaluatedOnEveryRequest() {
        let readiness = Readiness()
        let connected = Mutex(true)
        readiness.register("broker") { connected.withLock { $0 } ? nil : "not connected" }
        readiness.mark("database", notReady: nil)
        #expect(readiness.evaluate().isReady)
        connected.withLock { $0 = false }
        let report = readiness.evaluate()
        #expect(!report.isReady)
        #expect(report.reason == "broker: not connected")
        readiness.mark("broker", notReady: nil)
        #expect(readiness.evaluate().isReady, "a check registered again under the same name replaces the old one")
    }

    @Test func reportIsTheJSONReadyzServes() throws {
        let readiness = Readiness()
        readiness.mark("broker", notReady: "not connected")
        readiness.mark("database", notReady: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(readiness.evaluate()), as: UTF8.self)
        #expect(json == #"{"checks":{"broker":"not connected","database":"ok"},"reason":"broker: not connected","status":"not_ready"}"#)
    }

    @Test func tracesAreExportedOnlyWithAnOTLPEndpoint() {
        #expect(!ObservabilityConfiguration(serviceName: "x").exportsTraces)
        #expect(ObservabilityConfiguration(serviceName: "x", environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]).exportsTraces)
        #expect(ObservabilityConfiguration(serviceName: "x", environment: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"]).exportsTraces)
        #expect(
            !ObservabilityConfiguration(
                serviceName: "x", environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"]
            ).exportsTraces)
    }
}
