import CoreMetrics
import Logging
import Metrics
import Synchronization
import Tracing
import TributaryClient
import TributaryCore

/// Times each fan-in, from the delivery of the result that completed an experiment's batch
/// set to the broker's confirm of its synthesis task: `tributary_fan_in_seconds`, and a
/// `fan_in` span in the experiment's trace, and an info log line per experiment (what the
/// pipeline benchmark reads its fan-in percentiles from).
///
/// In memory only: a fan-in that spans a restart is not timed (its synthesis is still sent).
final class FanInTracker: Sendable {
    private struct Start {
        var clock: ContinuousClock.Instant
        var trace: DefaultTracerClock.Timestamp
    }

    private let started = Mutex<[String: Start]>([:])
    private let timer: Metrics.Timer
    private let logger: Logger

    init(timer: Metrics.Timer, logger: Logger) {
        self.timer = timer
        self.logger = logger
    }

    func begin(_ experimentID: String, at instant: ContinuousClock.Instant, traceTime: DefaultTracerClock.Timestamp) {
        started.withLock { $0[experimentID] = Start(clock: instant, trace: traceTime) }
    }

    /// Called for every confirmed task; ends the fan-in its synthesis task completes.
    func confirmed(_ message: OutboundMessage) {
        guard message.type == TaskType.corpusSynthesis.rawValue,
            let start = started.withLock({ $0.removeValue(forKey: message.correlationID) })
        else { return }
        let duration = ContinuousClock.now - start.clock
        timer.record(duration: duration)
        let milliseconds = Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
        logger.info(
            "fan-in complete: synthesis task confirmed",
            metadata: .tributary([.experimentID: "\(message.correlationID)", .durationMilliseconds: "\(milliseconds)"]))
        let context = TracePropagation.context(fromStored: message.traceHeaders)
        let span = InstrumentationSystem.tracer.startSpan("fan_in", context: context, ofKind: .internal, at: start.trace)
        span.attributes["tributary.experiment_id"] = message.correlationID
        span.end()
    }
}
