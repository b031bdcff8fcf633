/// How the executables write their logs (to standard error).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One readable line per message: for people and terminals.
    case text
    /// One JSON object per line: for log pipelines (the container images' default).
    case json
}
