import TributaryCommandLine
import TributaryConsole

await runCommand(ConsoleCommand.self)
