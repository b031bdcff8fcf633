/// Bounds on what an experiment may contain; anything over them is refused, never truncated.
public struct ExperimentLimits: Sendable, Hashable {
    public var maxDocumentBytes = 1 << 20
    public var maxDocuments = 100_000
    public var maxTotalBytes = 256 << 20

    public init() {}
}
