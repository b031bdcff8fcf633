import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine

struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the broker definitions (exchanges, queues, bindings) for `rabbitmqctl import_definitions`, or delete them.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Virtual host the definitions are for.")
    var vhost = "/"

    @Flag(help: "Delete the namespace's queues (and every message in them) and exchanges from the broker instead.")
    var delete = false

    @Flag(help: "The definitions are JSON already; with --delete, print the result as JSON.")
    var json = false

    func run() async throws {
        guard delete else {
            FileHandle.standardOutput.write(Data(try connection.topology.definitions(virtualHost: vhost)))
            return
        }
        let topology = connection.topology
        try await connection.withConnection { try await topology.delete(on: $0) }
        if json {
            try printJSON(["deleted_namespace": topology.namespace])
        } else {
            print("deleted the queues and exchanges of namespace \(topology.namespace)")
        }
    }
}
