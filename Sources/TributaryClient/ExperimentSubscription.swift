import AMQP
import Foundation
import Synchronization
import TributaryCore

/// The status events of one experiment, and a way to await its outcome.
public final class ExperimentSubscription: Sendable {
    public let experimentID: String
    let consumer: AMQPConsumer
    let client: TributaryClient
    private let reader: EventReader
    private let latest = Mutex<ExperimentStatus?>(nil)

    init(experimentID: String, consumer: AMQPConsumer, client: TributaryClient) {
        self.experimentID = experimentID
        self.consumer = consumer
        self.client = client
        self.reader = EventReader(consumer)
    }

    /// The most recent status seen (by state order, then batch count).
    public var lastStatus: ExperimentStatus? { latest.withLock { $0 } }

    /// The next status event; nil once the subscription has ended.
    public func nextEvent() async throws -> ExperimentStatus? {
        guard let event = try await reader.next() else { return nil }
        record(event)
        return event
    }

    /// Keeps `status` as the latest if it is newer; true if it was.
    @discardableResult
    func record(_ status: ExperimentStatus) -> Bool {
        latest.withLock { current in
            guard current.map({ Self.isNewer(status, than: $0) }) ?? true else { return false }
            current = status
            return true
        }
    }

    /// Waits for the experiment to end (completed, failed or cancelled) and returns that final status.
    ///
    /// Follows events, and every ``TributaryClient/statusPollInterval`` also asks the
    /// orchestrator directly, so an outcome is found even if its event was missed while the
    /// connection was being re-opened. `progress` sees every status newer than the last it
    /// saw, from either source, so a lost event can't freeze a display. Throws
    /// ``TributaryClientError/Code/timeout`` (with the last status seen) if there is no
    /// outcome within `limit`.
    public func outcome(within limit: Duration, progress: (@Sendable (ExperimentStatus) -> Void)? = nil) async throws -> ExperimentStatus {
        if let known = lastStatus, known.state.isTerminal { return known }
        let id = experimentID
        let client = client
        do {
            let timedOut = TributaryClientError(code: .timeout, message: "no outcome for experiment \(id) within \(limit)")
            return try await withTimeout(limit, orThrow: timedOut) { [self] in
                try await withThrowingTaskGroup(of: ExperimentStatus?.self) { group in
                    group.addTask {
                        while let event = try await self.nextEvent() {
                            if self.lastStatus == event { progress?(event) }
                            if event.state.isTerminal { break }
                        }
                        return self.lastStatus.flatMap { $0.state.isTerminal ? $0 : nil }
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: client.statusPollInterval)
                            guard let status = try? await client.status(experimentID: id) else { continue }
                            if self.record(status) { progress?(status) }
                            if status.state.isTerminal { return status }
                        }
                    }
                    defer { group.cancelAll() }
                    while let result = try await group.next() {
                        if let outcome = result { return outcome }
                    }
                    throw TributaryClientError(code: .disconnected, message: "event stream for \(id) ended", lastStatus: self.lastStatus)
                }
            }
        } catch var error as TributaryClientError {
            error.lastStatus = error.lastStatus ?? lastStatus
            throw error
        }
    }

    /// Stops receiving events.
    public func cancel() async {
        try? await consumer.cancel()
    }

    /// Events may be published out of order; the run, the state's place in the life cycle and
    /// the batches with an outcome decide which is newer.
    static func isNewer(_ event: ExperimentStatus, than current: ExperimentStatus) -> Bool {
        if event.run != current.run { return event.run > current.run }
        if event.state.order != current.state.order { return event.state.order > current.state.order }
        if event.state != current.state {
            // Pausing and resuming go back and forth within one place; the orchestrator's clock orders them.
            if !event.state.isTerminal, !current.state.isTerminal { return event.at >= current.at }
            return event.state.isTerminal
        }
        let ended = { (status: ExperimentStatus) in status.batchesCompleted + status.failedBatches }
        return ended(event) != ended(current) ? ended(event) > ended(current) : event.retries > current.retries
    }
}

/// Holds the subscription's one iterator, so events batched together are never lost between reads.
private actor EventReader {
    /// Taken out while a read is suspended: an async call can't mutate actor state in place.
    private var iterator: AMQPConsumer.AsyncIterator?

    init(_ consumer: AMQPConsumer) {
        iterator = consumer.makeAsyncIterator()
    }

    func next() async throws -> ExperimentStatus? {
        guard var current = iterator.take() else {
            throw TributaryClientError(code: .disconnected, message: "events of one subscription can only be read by one task at a time")
        }
        defer { iterator = current }
        guard let delivery = try await current.next(isolation: self) else { return nil }
        try? delivery.ack()
        return try MessageCoding.decode(ExperimentStatus.self, from: delivery.body)
    }
}
