/// What an `analyse_batch` task carries: its own documents only.
public struct BatchPayload: Sendable, Hashable, Codable {
    public var framework: Framework
    public var documents: [Document]

    public init(framework: Framework, documents: [Document]) {
        self.framework = framework
        self.documents = documents
    }
}
