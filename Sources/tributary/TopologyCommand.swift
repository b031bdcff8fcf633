import ArgumentParser
import Foundation
import TributaryClient
import TributaryCommandLine

struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the broker definitions (exchanges, queues, bindings) for `rabbitmqctl import_definitions`.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Virtual host the definitions are for.")
    var vhost = "/"

    func run() async throws {
        FileHandle.standardOutput.write(Data(try connection.topology.definitions(virtualHost: vhost)))
    }
}
