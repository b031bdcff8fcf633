/// How a task ended.
public enum TaskStatus: String, Sendable, Hashable, Codable {
    case completed
    case failed
}
