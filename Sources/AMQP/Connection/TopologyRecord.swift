/// Everything declared through a connection, replayed in order after a reconnect.
///
/// Server-named queues (empty name) are not recorded: the broker gives them a new name
/// on every connection, so nothing could refer to them after recovery.
struct TopologyRecord {
    private(set) var exchanges: [ExchangeDeclaration] = []
    private(set) var queues: [QueueDeclaration] = []
    private(set) var bindings: [QueueBinding] = []

    mutating func record(_ exchange: ExchangeDeclaration) {
        if let index = exchanges.firstIndex(where: { $0.name == exchange.name }) {
            exchanges[index] = exchange
        } else {
            exchanges.append(exchange)
        }
    }

    mutating func record(_ queue: QueueDeclaration) {
        guard !queue.name.isEmpty else { return }
        if let index = queues.firstIndex(where: { $0.name == queue.name }) {
            queues[index] = queue
        } else {
            queues.append(queue)
        }
    }

    mutating func record(_ binding: QueueBinding) {
        if !bindings.contains(binding) { bindings.append(binding) }
    }

    mutating func forgetQueue(_ name: String) {
        queues.removeAll { $0.name == name }
        bindings.removeAll { $0.queue == name }
    }

    mutating func forgetExchange(_ name: String) {
        exchanges.removeAll { $0.name == name }
        bindings.removeAll { $0.exchange == name }
    }

    mutating func forget(_ binding: QueueBinding) {
        bindings.removeAll { $0 == binding }
    }
}
