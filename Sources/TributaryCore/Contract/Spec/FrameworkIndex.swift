/// A named group of dimensions whose internal consistency is reported (Cronbach's alpha).
public struct FrameworkIndex: Sendable, Hashable, Codable {
    public var name: String
    public var dimensions: [String]

    public init(name: String, dimensions: [String]) {
        self.name = name
        self.dimensions = dimensions
    }
}
