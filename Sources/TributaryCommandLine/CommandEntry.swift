import ArgumentParser

#if canImport(Glibc)
    // stdio's `stdout` is a C global; setting its buffering once, before any task runs, is safe.
    @preconcurrency import Glibc
#endif

/// Runs an asynchronous command as its `main()` would, from a `main.swift`.
///
/// From top-level code, `Command.main()` resolves to ArgumentParser's synchronous overload,
/// which refuses an asynchronous command at run time; this parses and runs it explicitly.
public func runCommand<Command: AsyncParsableCommand>(_ command: Command.Type, arguments: [String]? = nil) async {
    // Into a pipe or a file, stdio would buffer whole blocks: a script reading
    // `submit --wait | …` could not see the experiment id until the command exits, and a
    // SIGTERM would lose what was buffered. Every line goes out as it is written.
    setvbuf(stdout, nil, _IOLBF, 0)
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
