import Synchronization

/// What `/readyz` reports: named checks, each either ready or not with a reason.
///
/// A service registers a check for everything it needs (the broker, its consumers, its
/// database); the endpoint evaluates them on every request, so the answer is never older
/// than the request.
public final class Readiness: Sendable {
    /// A check's answer: `nil` when ready, otherwise why not.
    public typealias Check = @Sendable () -> String?

    private let checks = Mutex<[(name: String, check: Check)]>([])

    public init() {}

    /// Adds (or replaces) the check called `name`.
    public func register(_ name: String, _ check: @escaping Check) {
        checks.withLock { checks in
            checks.removeAll { $0.name == name }
            checks.append((name, check))
        }
    }

    /// Sets `name` to a fixed answer: `nil` for ready, a reason for not ready.
    public func mark(_ name: String, notReady reason: String?) {
        register(name) { reason }
    }

    /// Every check's answer now, in registration order; ready only if there is at least one
    /// check and all pass (a service that has not registered anything has not started yet).
    public func evaluate() -> ReadinessReport {
        let checks = checks.withLock { $0 }
        let results = checks.map { ReadinessReport.Check(name: $0.name, problem: $0.check()) }
        return ReadinessReport(checks: results)
    }
}
