import AMQP
import Foundation
import TributaryClient

extension TestPipeline {
    /// Where the service executables are found when ``Configuration/executablesDirectory`` is
    /// nil: `TRIBUTARY_BIN_DIR`, else the test binary's folder or one of its parents that
    /// holds an `orchestrator` (where `swift build` puts it).
    public static let defaultExecutablesDirectory: String = {
        if let directory = ProcessInfo.processInfo.environment["TRIBUTARY_BIN_DIR"], !directory.isEmpty { return directory }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let start = url
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: url.appendingPathComponent("orchestrator").path) {
            url.deleteLastPathComponent()
        }
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("orchestrator").path) ? url.path : start.path
    }()

    public var executablesDirectory: String { configuration.executablesDirectory ?? Self.defaultExecutablesDirectory }

    /// The program and leading arguments that run `executable`: the executable itself, or
    /// `tributary-all` (the image's one binary) given its name.
    func command(_ executable: String) throws -> (path: String, arguments: [String]) {
        let path = "\(executablesDirectory)/\(executable)"
        if FileManager.default.isExecutableFile(atPath: path) { return (path, []) }
        let all = "\(executablesDirectory)/tributary-all"
        if FileManager.default.isExecutableFile(atPath: all) { return (all, [executable]) }
        throw TestPipelineError(
            "\(path) not found: build Tributary's executables (swift build) and set TRIBUTARY_BIN_DIR to their folder "
                + "(swift build --show-bin-path), or set Configuration.executablesDirectory")
    }

    /// Starts one of the services in this pipeline's namespace, with an HTTP port of its own
    /// for `/readyz` and `/metrics`, and with a proxy of its own if ``Configuration/brokerProxies``.
    func launch(_ executable: String, name: String, _ extra: [String] = [], environment extraEnvironment: [String: String] = [:]) throws
        -> ServiceProcess
    {
        let (path, leading) = try command(executable)
        let httpPort = try freePort()
        var broker = serviceBrokerURL ?? brokerURL
        if configuration.brokerProxies {
            let proxy = try BrokerProxy(brokerURL: broker, logDirectory: directory, name: "\(name)-proxy")
            proxies[name] = proxy
            broker = proxy.url
        }
        let process = try ServiceProcess(
            executable: path,
            arguments: leading + ["--amqp-url", broker, "--namespace", topology.namespace, "--log-level", "info"] + configuration.serviceArguments
                + ["--http-port", "\(httpPort)", "--http-host", "127.0.0.1"] + extra,
            name: name, logDirectory: directory, httpPort: httpPort,
            environment: configuration.serviceEnvironment.isEmpty && extraEnvironment.isEmpty
                ? nil : ProcessInfo.processInfo.environment.merging(configuration.serviceEnvironment) { $1 }.merging(extraEnvironment) { $1 })
        processes.append(process)
        services.append(process)
        return process
    }

    /// Runs one of the service executables with just `arguments` (e.g. `--help`); it is not
    /// awaited for readiness.
    public func runService(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ServiceProcess {
        let (path, leading) = try command(executable)
        let process = try ServiceProcess(
            executable: path, arguments: leading + arguments, name: "\(executable)-\(processes.count)", logDirectory: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        processes.append(process)
        return process
    }

    /// Runs a program by its path (a tool of the test's, not one of Tributary's), stopped with the pipeline.
    public func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ServiceProcess {
        let process = try ServiceProcess(
            executable: path, arguments: arguments, name: "\(URL(fileURLWithPath: path).lastPathComponent)-\(processes.count)", logDirectory: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        processes.append(process)
        return process
    }

    /// Runs the `tributary` command against this pipeline: its broker and namespace.
    public func runClient(_ arguments: [String]) throws -> ServiceProcess {
        let (path, leading) = try command("tributary")
        // Options go last: after any subcommand path (`dead-letters list`) and its arguments.
        let process = try ServiceProcess(
            executable: path, arguments: leading + arguments + ["--amqp-url", brokerURL, "--namespace", topology.namespace],
            name: "tributary-\(processes.count)", logDirectory: directory)
        processes.append(process)
        return process
    }

    /// Writes an executable shell script into this pipeline's folder and returns its path.
    public func script(_ name: String, _ body: String) throws -> String {
        let path = "\(directory)/\(name)"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// Stops every running process with SIGTERM, and every in-process agent, and returns the
    /// processes' exit statuses by name.
    public func stopAll() async throws -> [String: Int32] {
        var statuses: [String: Int32] = [:]
        for process in processes where process.isRunning {
            statuses[process.name] = try await process.terminate()
        }
        for agent in inProcessAgents { try await agent.stop() }
        return statuses
    }

    /// Stops what still runs (SIGKILL), removes the namespace's queues and exchanges, closes
    /// the connection and removes the folder. ``withTestPipeline(_:configuration:_:)`` calls it.
    public func tearDown() async {
        for process in processes where process.isRunning { _ = try? await process.crash() }
        for agent in inProcessAgents { try? await agent.stop(within: .seconds(10)) }
        for proxy in proxies.values { try? await proxy.cut() }
        try? await topology.delete(on: connection)
        await connection.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
