import Foundation
import Synchronization
import TributaryCore

/// Shows an experiment's progress while `submit --wait` waits, on standard error.
///
/// On a terminal it redraws one line: state, batches done of total, rate, ETA, retries and
/// failures. Elsewhere (CI logs, pipes) it writes a line per state change and at most one
/// progress line every 10 seconds, so a long run leaves a readable log.
final class ProgressDisplay: Sendable {
    private struct State {
        var lastState: ExperimentState?
        var lastLine = Date.distantPast
        var analysingSince: (date: Date, ended: Int)?
        var drawn = false
    }

    private let terminal: Bool
    private let state = Mutex(State())
    static let plainInterval: TimeInterval = 10

    init(terminal: Bool = isatty(STDERR_FILENO) == 1) { self.terminal = terminal }

    func update(_ status: ExperimentStatus) {
        let now = Date()
        let output: String? = state.withLock { state in
            let ended = status.batchesCompleted + status.failedBatches
            if status.state == .analysing, state.analysingSince == nil { state.analysingSince = (now, ended) }
            let line = Self.describe(status, since: state.analysingSince, now: now)
            if terminal {
                state.drawn = true
                return "\r\u{1B}[2K" + line
            }
            let changed = status.state != state.lastState
            guard changed || now.timeIntervalSince(state.lastLine) >= Self.plainInterval else { return nil }
            state.lastState = status.state
            state.lastLine = now
            return line + "\n"
        }
        if let output { FileHandle.standardError.write(Data(output.utf8)) }
    }

    /// Ends a redrawn line, so what follows starts on a fresh one.
    func finish() {
        if state.withLock({ $0.drawn }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// `0:42`, `12:05`, `3:07:00`.
    static func clock(_ seconds: Int) -> String {
        let (hours, minutes, rest) = (seconds / 3_600, seconds % 3_600 / 60, seconds % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }

    static func describe(_ status: ExperimentStatus, since start: (date: Date, ended: Int)?, now: Date) -> String {
        var parts = [LedgerText.state(status)]
        let ended = status.batchesCompleted + status.failedBatches
        if status.batchCount > 0 {
            let percent = Int((Double(ended) * 100 / Double(status.batchCount)).rounded(.down))
            parts.append("\(ended)/\(status.batchCount) batches (\(percent) %)")
            if status.state == .analysing, let start, now > start.date, ended > start.ended {
                let rate = Double(ended - start.ended) / now.timeIntervalSince(start.date)
                let remaining = Int((Double(status.batchCount - ended) / rate).rounded(.up))
                parts.append(String(format: "%.1f/s", rate))
                parts.append("ETA \(clock(remaining))")
            }
        }
        if status.retries > 0 { parts.append("\(status.retries) retries") }
        if status.failedBatches > 0 { parts.append("\(status.failedBatches) failed") }
        if status.run > 1 { parts.append("run \(status.run)") }
        if let ledger = LedgerText.describe(status) { parts.append(ledger) }
        if let cache = LedgerText.cache(status) { parts.append(cache) }
        return parts.joined(separator: ", ")
    }
}
