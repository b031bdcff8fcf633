/// What the broker reported for a declared queue.
public struct QueueDeclareResult: Sendable, Hashable {
    public var name: String
    public var messageCount: UInt32
    public var consumerCount: UInt32
}
