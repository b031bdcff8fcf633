import TributaryCLI
import TributaryCommandLine

await runCommand(TributaryCommand.self)
