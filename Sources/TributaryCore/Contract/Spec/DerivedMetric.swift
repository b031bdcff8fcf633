/// A metric computed from dimension scores, such as `tension = abs(hope - fear)`.
public struct DerivedMetric: Sendable, Hashable, Codable {
    public var name: String
    public var formula: String

    public init(name: String, formula: String) {
        self.name = name
        self.formula = formula
    }
}
