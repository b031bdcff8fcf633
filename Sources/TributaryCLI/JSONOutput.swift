import TributaryCore

/// Prints a value as one line of JSON, in the contract's dialect (snake_case, sorted keys).
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try MessageCoding.encode(value), as: UTF8.self))
}

/// What `--json` prints for an experiment the orchestrator does not know.
struct NotFound: Encodable {
    var experimentId: String
    var found = false
}
