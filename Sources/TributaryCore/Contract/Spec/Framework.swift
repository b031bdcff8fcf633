/// What documents are scored against: dimensions, metrics derived from them, and indices.
public struct Framework: Sendable, Hashable, Codable {
    public var name: String
    public var version: String
    public var dimensions: [Dimension]
    public var derivedMetrics: [DerivedMetric]
    public var indices: [FrameworkIndex]

    public init(name: String, version: String, dimensions: [Dimension], derivedMetrics: [DerivedMetric] = [], indices: [FrameworkIndex] = []) {
        self.name = name
        self.version = version
        self.dimensions = dimensions
        self.derivedMetrics = derivedMetrics
        self.indices = indices
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        dimensions = try container.decode([Dimension].self, forKey: .dimensions)
        derivedMetrics = try container.decodeIfPresent([DerivedMetric].self, forKey: .derivedMetrics) ?? []
        indices = try container.decodeIfPresent([FrameworkIndex].self, forKey: .indices) ?? []
    }
}
