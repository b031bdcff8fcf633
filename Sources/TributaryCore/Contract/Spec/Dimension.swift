/// A quality a document is scored on, recognised by marker phrases.
public struct Dimension: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    /// Phrases whose presence raises the score.
    public var raises: [String]
    /// Phrases whose presence lowers the score.
    public var lowers: [String]

    public init(name: String, description: String = "", raises: [String], lowers: [String] = []) {
        self.name = name
        self.description = description
        self.raises = raises
        self.lowers = lowers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        raises = try container.decodeIfPresent([String].self, forKey: .raises) ?? []
        lowers = try container.decodeIfPresent([String].self, forKey: .lowers) ?? []
    }
}
