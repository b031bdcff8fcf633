/// A connection's health as last reported by its thread, readable without waiting for it.
public struct AMQPConnectionStatus: Sendable, Hashable {
    /// The socket is open and logged in; consumers and topology are in place.
    public var isOpen: Bool
    /// Times the connection was lost and re-opened.
    public var recoveries: Int
    /// Times the connection was lost.
    public var losses: Int
    /// Why it was last lost, or why it is not open.
    public var lastError: String?

    public init(isOpen: Bool = false, recoveries: Int = 0, losses: Int = 0, lastError: String? = nil) {
        self.isOpen = isOpen
        self.recoveries = recoveries
        self.losses = losses
        self.lastError = lastError
    }
}
