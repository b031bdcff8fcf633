import AMQP
import Instrumentation

/// Reads a tracer's propagation values back out of a message's AMQP headers.
public struct AMQPHeadersExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: [String: AMQPFieldValue]) -> String? {
        carrier[key]?.stringValue
    }
}
