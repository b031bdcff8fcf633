import TributaryCore

/// A message in the outbox with its row id, used to remove it once the broker confirms it.
package struct OutboxEntry: Sendable, Hashable {
    package var id: Int64
    package var message: OutboundMessage

    package init(id: Int64, message: OutboundMessage) {
        self.id = id
        self.message = message
    }
}
