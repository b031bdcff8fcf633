/// A message the orchestrator has decided to send, held in the outbox until the broker confirms it.
///
/// Written in the same transaction as the state change that caused it, so a crash can
/// only delay it, never lose it; after a crash it may be sent twice, which the
/// deterministic `messageID` lets consumers detect.
package struct OutboundMessage: Sendable, Hashable {
    /// Which exchange of the topology the message goes to.
    package enum Destination: String, Sendable, Hashable {
        case tasks
        case events
    }

    package var destination: Destination
    package var routingKey: String
    package var messageID: String
    package var correlationID: String
    package var type: String
    package var headers: [String: Int]
    /// The experiment's trace context (W3C `traceparent`/`tracestate`, or whatever the
    /// tracer propagates), sent as string headers so every task continues the submitter's trace.
    package var traceHeaders: [String: String]
    package var body: [UInt8]

    package init(
        destination: Destination, routingKey: String, messageID: String, correlationID: String, type: String, headers: [String: Int] = [:],
        traceHeaders: [String: String] = [:], body: [UInt8]
    ) {
        self.destination = destination
        self.routingKey = routingKey
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.headers = headers
        self.traceHeaders = traceHeaders
        self.body = body
    }
}
