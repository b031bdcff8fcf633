import AMQP
import Foundation
import Synchronization
import TributaryCore

/// The status events of one experiment, and a way to await its outcome.
public final class ExperimentSubscription: Sendable {
    public let experimentID: String
    let consumer: AMQPConsumer
    let client: TributaryClient
    private let latest = Mutex<ExperimentStatusEvent?>(nil)

    init(experimentID: String, consumer: AMQPConsumer, client: TributaryClient) {
        self.experimentID = experimentID
        self.consumer = consumer
        self.client = client
    }

    /// The most recent status seen by ``events()`` or ``outcome(within:)``.
    public var lastStatus: ExperimentStatusEvent? { latest.withLock { $0 } }

    /// The experiment's status events as they arrive. Iterate once.
    public func events() -> AsyncThrowingMapSequence<AMQPConsumer, ExperimentStatusEvent> {
        consumer.map { [self] delivery in
            try? delivery.ack()
            let event = try MessageCoding.decode(ExperimentStatusEvent.self, from: delivery.body)
            self.remember(event)
            return event
        }
    }

    /// Waits for the experiment to complete or fail and returns that final status.
    ///
    /// Follows events, and every ``TributaryClient/statusPollInterval`` also asks the
    /// orchestrator directly, so an outcome is found even if its event was missed while the
    /// connection was being re-opened. Throws ``TributaryClientError/Code/timeout`` (with the
    /// last status seen) if there is no outcome within `limit`.
    public func outcome(within limit: Duration) async throws -> ExperimentStatusEvent {
        let id = experimentID
        let client = client
        return try await withTimeout(limit, "outcome for experiment \(id)", lastStatus: lastStatus) { [self] in
            try await withThrowingTaskGroup(of: ExperimentStatusEvent?.self) { group in
                group.addTask {
                    for try await event in self.events() where event.state.isTerminal { return event }
                    return nil
                }
                group.addTask {
                    while true {
                        try await Task.sleep(for: client.statusPollInterval)
                        if let status = try? await client.status(experimentID: id), status.state.isTerminal { return status }
                    }
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let outcome = result { return outcome }
                }
                throw TributaryClientError(code: .disconnected, message: "event stream for \(id) ended", lastStatus: self.lastStatus)
            }
        }
    }

    private func remember(_ event: ExperimentStatusEvent) {
        latest.withLock { current in
            if current.map({ Self.isNewer(event, than: $0) }) ?? true { current = event }
        }
    }

    /// Stops receiving events.
    public func cancel() async {
        try? await consumer.cancel()
    }

    /// Events may be published out of order; the state order and batch count decide which is newer.
    static func isNewer(_ event: ExperimentStatusEvent, than current: ExperimentStatusEvent) -> Bool {
        let order = ExperimentState.allCases
        let (a, b) = (order.firstIndex(of: event.state)!, order.firstIndex(of: current.state)!)
        return a != b ? a > b : event.batchesCompleted > current.batchesCompleted
    }
}
