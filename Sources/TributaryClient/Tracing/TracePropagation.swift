import AMQP
import Instrumentation
import Tracing
import W3CTraceContext

/// How a trace crosses each hop: submitter → orchestrator → every task and result.
///
/// The bootstrapped instrument does the work, so whatever a deployment traces with (OTLP,
/// an in-memory tracer in tests) propagates its own way. A process without a tracer still
/// forwards the W3C headers it received, so one hop without an exporter does not cut the
/// trace in two.
public enum TracePropagation {
    /// The W3C headers forwarded as they came when no instrument propagates them.
    public static let w3cHeaderNames = ["traceparent", "tracestate"]

    /// The context a message's headers carry, for spans that continue its trace.
    public static func context(from headers: AMQPTable?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let headers { InstrumentationSystem.instrument.extract(headers, into: &context, using: AMQPHeadersExtractor()) }
        return context
    }

    /// The context stored propagation headers carry (an experiment's, an outbox entry's).
    public static func context(fromStored headers: [String: String]) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: StringHeadersCoder())
        return context
    }

    /// The propagation headers for `context` as strings: what the instrument injects, or
    /// failing that, the W3C headers of `incoming` passed through unchanged.
    public static func headers(for context: ServiceContext, incoming: AMQPTable? = nil) -> [String: String] {
        var carried: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carried, using: StringHeadersCoder())
        if carried.isEmpty, let incoming {
            for name in w3cHeaderNames { if let value = incoming[name]?.stringValue { carried[name] = value } }
        }
        return carried
    }

    /// Headers that start a new trace: the active span's context if a tracer made one,
    /// otherwise a fresh, sampled W3C `traceparent`, so the experiment has a trace id even
    /// where this process exports nothing.
    public static func rootHeaders(for context: ServiceContext) -> [String: String] {
        let carried = headers(for: context)
        guard carried.isEmpty else { return carried }
        let root = TraceContext(traceID: .random(), spanID: .random(), flags: .sampled, state: TraceState())
        return ["traceparent": root.traceParentHeaderValue]
    }

    /// The trace id in a W3C `traceparent` header value, if it is one.
    public static func traceID(fromTraceParent value: String) -> String? {
        (try? TraceContext(traceParentHeaderValue: value)).map { "\($0.traceID)" }
    }
}

extension Dictionary where Key == String, Value == String {
    /// As AMQP string headers.
    public var amqpHeaders: AMQPTable { mapValues { .string($0) } }
}
