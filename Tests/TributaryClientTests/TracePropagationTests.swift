import AMQP
import Testing
import Tracing
import TributaryClient

/// Without a tracer in the process (the default, and every hop that exports nothing), the
/// W3C headers still start a trace and pass through unchanged.
@Suite struct TracePropagationTests {
    @Test func submitterWithoutATracerStartsASampledW3CTrace() throws {
        let headers = TracePropagation.rootHeaders(for: .topLevel)
        let traceparent = try #require(headers["traceparent"])
        let parts = traceparent.split(separator: "-")
        #expect(parts.count == 4)
        #expect(parts[0] == "00" && parts[1].count == 32 && parts[2].count == 16 && parts[3] == "01")
        #expect(TracePropagation.traceID(fromTraceParent: traceparent) == String(parts[1]))
        #expect(TracePropagation.rootHeaders(for: .topLevel)["traceparent"] != traceparent, "each submission is a new trace")
    }

    @Test func hopWithoutATracerForwardsTheW3CHeadersItReceived() {
        let incoming: AMQPTable = [
            "traceparent": .string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            "tracestate": .string("vendor=opaque"),
            "attempt": .int64(2),
        ]
        let forwarded = TracePropagation.headers(for: TracePropagation.context(from: incoming), incoming: incoming)
        #expect(forwarded == ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "vendor=opaque"])
        #expect(TracePropagation.headers(for: .topLevel, incoming: ["attempt": .int64(1)]).isEmpty)
    }

    @Test func malformedTraceParentHasNoTraceID() {
        #expect(TracePropagation.traceID(fromTraceParent: "not-a-traceparent") == nil)
    }
}
