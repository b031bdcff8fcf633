import Foundation

/// Faults through production paths only: the signals a supervisor or the kernel sends, a
/// restart on the same state, and a broker that goes away.
extension TestPipeline {
    /// SIGKILL, as a crash or an OOM kill: nothing is flushed, acknowledged or closed.
    public func kill(_ service: ServiceProcess) async throws { try await service.crash() }

    /// SIGTERM, as a graceful stop: the service finishes what it holds and exits; returns its status.
    @discardableResult
    public func stop(_ service: ServiceProcess, within limit: Duration = .seconds(20)) async throws -> Int32 {
        try await service.terminate(within: limit)
    }

    /// Starts `service` again with the same arguments, so on the same database, worker id and
    /// proxy, once it has exited (kill or stop it first); the new process replaces it in
    /// ``processes`` and as the ``orchestrator`` if it was that.
    @discardableResult
    public func restart(_ service: ServiceProcess) throws -> ServiceProcess {
        guard !service.isRunning else { throw TestPipelineError("\(service.name) is still running: kill or stop it before restarting it") }
        let restarted = try service.relaunched()
        processes.append(restarted)
        services.append(restarted)
        if orchestrators.contains(where: { $0 === service }) {
            orchestrators.append(restarted)
            orchestrator = restarted
        }
        return restarted
    }

    /// Drops `service`'s broker connections and refuses new ones, as a broker that stopped
    /// would; needs ``Configuration/brokerProxies``. ``restoreBrokerConnection(of:)`` ends it.
    public func cutBrokerConnection(of service: ServiceProcess) async throws {
        try await proxy(of: service.name).cut()
    }

    public func restoreBrokerConnection(of service: ServiceProcess) throws {
        try proxy(of: service.name).start()
    }

    /// The same for an in-process agent.
    public func cutBrokerConnection(of agent: InProcessAgent) async throws {
        try await proxy(of: agent.name).cut()
    }

    public func restoreBrokerConnection(of agent: InProcessAgent) throws {
        try proxy(of: agent.name).start()
    }

    func proxy(of name: String) throws -> BrokerProxy {
        guard let proxy = proxies[name] else {
            throw TestPipelineError("\(name) connects to the broker directly: set Configuration.brokerProxies before starting it")
        }
        return proxy
    }
}
