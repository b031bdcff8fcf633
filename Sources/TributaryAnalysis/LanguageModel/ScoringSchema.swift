import TributaryCore

/// The JSON Schema a model's answer must follow: one member per dimension, each with a
/// `score` and a `confidence` in [0, 1] and up to three verbatim `evidence` quotes.
///
/// Every object is closed and every member required, the subset OpenAI's strict structured
/// output accepts, so one schema serves every endpoint.
public enum ScoringSchema {
    public static let maximumQuotes = 3

    public static func schema(for framework: Framework) -> JSONValue {
        let unit: JSONValue = .object(["type": .string("number"), "minimum": .number(0), "maximum": .number(1)])
        let dimension: JSONValue = .object([
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array([.string("score"), .string("confidence"), .string("evidence")]),
            "properties": .object([
                "score": unit,
                "confidence": unit,
                "evidence": .object([
                    "type": .string("array"), "maxItems": .number(Double(maximumQuotes)), "items": .object(["type": .string("string")]),
                ]),
            ]),
        ])
        let names = framework.dimensions.map(\.name)
        return .object([
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array(names.map { .string($0) }),
            "properties": .object(Dictionary(uniqueKeysWithValues: names.map { ($0, dimension) })),
        ])
    }

    /// The name the schema goes by in OpenAI's `json_schema` form (letters, digits, `_`, `-`;
    /// at most 64).
    public static func name(for framework: Framework) -> String {
        let cleaned = String(
            framework.name.unicodeScalars.map { scalar -> Character in
                scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
            })
        let name = "scores_" + cleaned
        return String(name.prefix(64))
    }
}
