import Hummingbird
import HummingbirdCore

/// Pages a service serves on its HTTP endpoint beside `/metrics`, `/healthz` and `/readyz`.
///
/// The endpoint already runs in every service, on the port operators open; a feature that
/// needs a page (a console, a status API) adds it here instead of opening a second server.
/// Routes are registered once, before the endpoint starts, after the endpoint's own three,
/// whose paths they must leave alone.
public struct HTTPRoutes: Sendable {
    public typealias Registration = @Sendable (Router<BasicRequestContext>) -> Void

    private(set) var registrations: [Registration] = []
    /// Decides whether a request may read `/metrics`; nil lets everyone (the default: the
    /// port is the operators'). A service whose pages need sign-in guards its metrics too.
    public var metricsGuard: (@Sendable (Request) -> Bool)?
    /// How connections are served; nil is plain HTTP/1.1. The console passes TLS here, so
    /// its health, readiness and metrics are behind the same certificate as its pages.
    public var server: HTTPServerBuilder?

    public init() {}

    /// Adds routes; `register` receives the endpoint's router.
    public mutating func add(_ register: @escaping Registration) {
        registrations.append(register)
    }

    func register(on router: Router<BasicRequestContext>) {
        for registration in registrations { registration(router) }
    }
}
