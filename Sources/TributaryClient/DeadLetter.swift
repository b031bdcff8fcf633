import AMQP

/// A message in the namespace's dead-letter queue, as `tributary dead-letters` shows it.
public struct DeadLetter: Sendable, Hashable, Codable {
    public var messageID: String?
    /// The AMQP `type`: `analyse_batch`, `task_result`, `experiment_request`, …
    public var type: String?
    /// The experiment (the message's correlation id).
    public var experimentID: String?
    /// Why it is here: Tributary's reason (`malformed: …`, `invalid_identifier: …`) or the
    /// broker's (`delivery_limit`, `rejected`, `expired`).
    public var reason: String
    /// The queue it came from, and goes back to on replay.
    public var sourceQueue: String?
    /// How often the broker dead-lettered it.
    public var deaths: Int
    public var bodyBytes: Int
    /// The body as text (invalid UTF-8 replaced), for reading.
    public var body: String

    init(_ delivery: AMQPDelivery) {
        let properties = delivery.properties
        let headers = properties.headers ?? [:]
        let death: AMQPTable? = {
            if case .array(let deaths)? = headers["x-death"], case .table(let first)? = deaths.first { return first }
            return nil
        }()
        messageID = properties.messageID
        type = properties.type
        experimentID = properties.correlationID
        reason = headers["x-tributary-rejection-reason"]?.stringValue ?? death?["reason"]?.stringValue ?? "unknown"
        sourceQueue = headers["x-tributary-source-queue"]?.stringValue ?? death?["queue"]?.stringValue
        deaths = death?["count"]?.intValue ?? 0
        bodyBytes = delivery.body.count
        body = String(decoding: delivery.body, as: UTF8.self)
    }

    /// Headers that record the dead-lettering, dropped when the message is sent back.
    static let deadLetteringHeaders: Set<String> = [
        "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange",
        "x-last-death-queue", "x-last-death-reason", "x-delivery-count", "x-tributary-rejection-reason", "x-tributary-source-queue",
    ]
}
