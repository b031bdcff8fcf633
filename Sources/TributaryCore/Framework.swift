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

/// A metric computed from dimension scores, such as `tension = abs(hope - fear)`.
public struct DerivedMetric: Sendable, Hashable, Codable {
    public var name: String
    public var formula: String

    public init(name: String, formula: String) {
        self.name = name
        self.formula = formula
    }
}

/// A named group of dimensions whose internal consistency is reported (Cronbach's alpha).
public struct FrameworkIndex: Sendable, Hashable, Codable {
    public var name: String
    public var dimensions: [String]

    public init(name: String, dimensions: [String]) {
        self.name = name
        self.dimensions = dimensions
    }
}
