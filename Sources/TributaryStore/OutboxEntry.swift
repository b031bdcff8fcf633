import TributaryCore

/// A message in the outbox with its row id, used to remove it once the broker confirms it.
public struct OutboxEntry: Sendable, Hashable {
    public var id: Int64
    public var message: OutboundMessage
}
