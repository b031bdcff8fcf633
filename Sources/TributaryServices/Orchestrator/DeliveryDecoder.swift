import AMQP
import CoreMetrics
import Tracing
import TributaryClient
import TributaryCore
import TributaryObservability

/// What a delivery to one of the orchestrator's queues asks of it, as an input of the pure
/// ``Orchestrator``: a request, a control request, a result, or a dead-lettered task.
struct DeliveryDecoder {
    let topology: Topology

    /// Nil for a message that is not the orchestrator's (ack it and move on).
    func input(of delivery: AMQPDelivery, from source: String) throws(ContractError) -> Orchestrator.Input? {
        switch source {
        case topology.requestsQueue:
            switch delivery.properties.type.flatMap(MessageType.init(rawValue:)) {
            case .experimentCancel: return .cancel(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            case .experimentRetry: return .retry(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            case .experimentPause: return .pause(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            case .experimentResume: return .resume(try MessageCoding.decode(ExperimentControlRequest.self, from: delivery.body))
            default:
                let request = try MessageCoding.decode(ExperimentRequest.self, from: delivery.body)
                return .request(request, traceContext: Self.experimentTrace(of: request, headers: delivery.properties.headers))
            }
        case topology.orchestratorDeadLetterQueue:
            let headers = delivery.properties.headers ?? [:]
            if headers["x-tributary-rejection-reason"] == nil {
                // Dead-lettered by the broker itself (delivery limit, expiry): no service counted it.
                let queue = headers["x-first-death-queue"]?.stringValue ?? "unknown"
                let reason = headers["x-first-death-reason"]?.stringValue ?? "broker"
                Counter(label: MetricName.deadLetters, dimensions: [("queue", queue), ("reason", reason)]).increment()
            }
            return Self.deadLetteredTask(delivery)
        default:
            return .result(try MessageCoding.decodeResult(from: delivery.body))
        }
    }

    /// The trace context stored with a new experiment: that of an `experiment` span, child of
    /// the submitter's span if the request carried one. A request without `traceparent` (any
    /// client but ours may send one) starts the experiment's trace here, so its tasks are
    /// still traced; without a tracer, the submitter's W3C headers pass through, or a fresh
    /// `traceparent` gives the experiment a trace id all the same.
    static func experimentTrace(of request: ExperimentRequest, headers: AMQPTable?) -> [String: String] {
        let span = InstrumentationSystem.tracer.startSpan("experiment", context: TracePropagation.context(from: headers), ofKind: .consumer)
        span.attributes["tributary.experiment_id"] = request.experimentID
        span.end()
        let carried = TracePropagation.headers(for: span.context, incoming: headers)
        return carried.isEmpty ? TracePropagation.rootHeaders(for: span.context) : carried
    }

    /// A dead-lettered task, read from its properties and headers (its body may be what made
    /// it undeliverable). Anything else in the dead-letter exchange is not the orchestrator's.
    static func deadLetteredTask(_ delivery: AMQPDelivery) -> Orchestrator.Input? {
        let properties = delivery.properties
        guard let type = properties.type.flatMap(TaskType.init(rawValue:)), let experimentID = properties.correlationID,
            (try? Identifier.validateExperimentID(experimentID)) != nil
        else { return nil }
        let table = properties.headers ?? [:]
        let headers = TaskHeaders(reading: { table[$0]?.intValue })
        let task = TaskIdentity(
            taskID: type.taskID(experimentID: experimentID, batchIndex: headers.batchIndex), experimentID: experimentID, taskType: type,
            batchIndex: headers.batchIndex)
        if let refusal = table["x-tributary-rejection-reason"]?.stringValue {
            // An agent could not read it: the same message will never be readable.
            return .deadLetteredTask(task, headers, reason: "refused by an agent: \(refusal)", permanent: true)
        }
        let deliveries = table["x-delivery-count"]?.intValue.map { " after \($0) deliveries" } ?? ""
        return .deadLetteredTask(
            task, headers, reason: "dead-lettered by the broker\(deliveries): its workers kept failing to finish it (crash, kill, lost connection)",
            permanent: false)
    }

    /// A task the broker refused to route or store, read from the outbox message as sent.
    static func refusedTask(_ message: OutboundMessage, reason: String) -> Orchestrator.Input? {
        guard message.destination == .tasks, let type = TaskType(rawValue: message.type) else { return nil }
        let headers = TaskHeaders(message.headers)
        let task = TaskIdentity(
            taskID: type.taskID(experimentID: message.correlationID, batchIndex: headers.batchIndex), experimentID: message.correlationID,
            taskType: type, batchIndex: headers.batchIndex)
        return .deadLetteredTask(task, headers, reason: "refused by the broker: \(reason) (message of \(message.body.count) bytes)", permanent: true)
    }
}
