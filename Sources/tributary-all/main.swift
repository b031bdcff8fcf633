import Foundation
import TributaryCLI
import TributaryCommandLine
import TributaryConsole
import TributaryServiceCommands

// Every Tributary executable in one binary, for container images: the Swift runtime,
// Foundation and the libraries they share are stored once instead of five times. It runs the
// command named by the name it was started under (a symlink: orchestrator, pre-test-agent,
// analyse-batch-agent, corpus-synthesis-agent, tributary, tributary-console), or by its first argument.
let commands = ["orchestrator", "pre-test-agent", "analyse-batch-agent", "corpus-synthesis-agent", "tributary", "tributary-console"]
var arguments = Array(CommandLine.arguments.dropFirst())
var name = URL(fileURLWithPath: CommandLine.arguments.first ?? "").lastPathComponent
if !commands.contains(name), let first = arguments.first, commands.contains(first) {
    name = first
    arguments.removeFirst()
}
switch name {
case "orchestrator": await runCommand(OrchestratorCommand.self, arguments: arguments)
case "pre-test-agent": await runCommand(PreTestAgentCommand.self, arguments: arguments)
case "analyse-batch-agent": await runCommand(AnalyseBatchAgentCommand.self, arguments: arguments)
case "corpus-synthesis-agent": await runCommand(CorpusSynthesisAgentCommand.self, arguments: arguments)
case "tributary": await runCommand(TributaryCommand.self, arguments: arguments)
case "tributary-console": await runCommand(ConsoleCommand.self, arguments: arguments)
default:
    FileHandle.standardError.write(Data("usage: tributary-all COMMAND [options] (COMMAND: \(commands.joined(separator: ", ")))\n".utf8))
    exit(64)
}
