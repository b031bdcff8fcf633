import ArgumentParser

/// Runs an asynchronous command as its `main()` would, from a `main.swift`.
///
/// From top-level code, `Command.main()` resolves to ArgumentParser's synchronous overload,
/// which refuses an asynchronous command at run time; this parses and runs it explicitly.
public func runCommand<Command: AsyncParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) async {
    do {
        var parsed = try await command.asyncParseAsRoot(arguments)
        if var asynchronous = parsed as? any AsyncParsableCommand {
            try await asynchronous.run()
        } else {
            try parsed.run()
        }
    } catch {
        command.exit(withError: error)
    }
}
