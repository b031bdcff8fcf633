/// Everything an experiment needs, packed so that workers on other hosts need no shared filesystem.
public struct ExperimentSpec: Sendable, Hashable, Codable {
    public var name: String
    public var researchQuestion: String
    public var framework: Framework
    public var documents: [Document]
    /// Documents per analysis batch.
    public var batchSize: Int
    /// Upper bound on the text bytes of one batch; a batch closes early rather than exceed it.
    public var maxBatchBytes: Int
    /// Metadata field whose values define the groups compared in the synthesis.
    public var groupBy: String?

    public static let defaultMaxBatchBytes = 1 << 20

    public init(
        name: String, researchQuestion: String = "", framework: Framework, documents: [Document],
        batchSize: Int, maxBatchBytes: Int = ExperimentSpec.defaultMaxBatchBytes, groupBy: String? = nil
    ) {
        self.name = name
        self.researchQuestion = researchQuestion
        self.framework = framework
        self.documents = documents
        self.batchSize = batchSize
        self.maxBatchBytes = maxBatchBytes
        self.groupBy = groupBy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        researchQuestion = try container.decodeIfPresent(String.self, forKey: .researchQuestion) ?? ""
        framework = try container.decode(Framework.self, forKey: .framework)
        documents = try container.decode([Document].self, forKey: .documents)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        maxBatchBytes = try container.decodeIfPresent(Int.self, forKey: .maxBatchBytes) ?? Self.defaultMaxBatchBytes
        groupBy = try container.decodeIfPresent(String.self, forKey: .groupBy)
    }
}
