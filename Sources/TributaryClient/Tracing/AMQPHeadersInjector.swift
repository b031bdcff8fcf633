import AMQP
import Instrumentation

/// Writes a tracer's propagation values (W3C `traceparent`, `tracestate`, …) into AMQP headers.
public struct AMQPHeadersInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [String: AMQPFieldValue]) {
        carrier[key] = .string(value)
    }
}
