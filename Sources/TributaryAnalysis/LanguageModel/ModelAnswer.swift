import Foundation
import TributaryCore

/// A model's answer for one document, checked against ``ScoringSchema``: per dimension a
/// score, a confidence and the quotes it offered (not yet checked against the text).
public struct ModelAnswer: Sendable, Hashable {
    public struct Scored: Sendable, Hashable {
        public var score: Double
        public var confidence: Double
        public var quotes: [String]

        public init(score: Double, confidence: Double, quotes: [String]) {
            self.score = score
            self.confidence = confidence
            self.quotes = quotes
        }
    }

    public var dimensions: [String: Scored]

    /// Why an answer does not follow the schema, in words a model can act on in a repair request.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads the message content the model returned. A Markdown code fence around the JSON
    /// (what models do when an endpoint ignores the schema) is taken off first; anything else
    /// that is not the schema's shape is ``Invalid``.
    public static func parse(_ content: String, framework: Framework) throws(Invalid) -> ModelAnswer {
        let json = unfenced(content)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        } catch {
            throw Invalid(message: "the answer is not valid JSON")
        }
        guard case .object(let members) = value else { throw Invalid(message: "the answer must be a JSON object with one member per dimension") }
        let names = Set(framework.dimensions.map(\.name))
        if let extra = members.keys.sorted().first(where: { !names.contains($0) }) {
            throw Invalid(message: "'\(extra)' is not a dimension; the members must be exactly: \(framework.dimensions.map(\.name).joined(separator: ", "))")
        }
        var dimensions: [String: Scored] = [:]
        for dimension in framework.dimensions {
            guard let entry = members[dimension.name] else { throw Invalid(message: "the dimension '\(dimension.name)' is missing") }
            dimensions[dimension.name] = try scored(entry, path: dimension.name)
        }
        return ModelAnswer(dimensions: dimensions)
    }

    private static func scored(_ value: JSONValue, path: String) throws(Invalid) -> Scored {
        guard case .object(let members) = value else { throw Invalid(message: "'\(path)' must be an object with score, confidence and evidence") }
        if let extra = members.keys.sorted().first(where: { !["score", "confidence", "evidence"].contains($0) }) {
            throw Invalid(message: "'\(path).\(extra)' is not allowed; only score, confidence and evidence are")
        }
        func unit(_ key: String) throws(Invalid) -> Double {
            guard let member = members[key] else { throw Invalid(message: "'\(path).\(key)' is missing") }
            guard case .number(let number) = member, (0...1).contains(number) else {
                throw Invalid(message: "'\(path).\(key)' must be a number from 0 to 1")
            }
            return number
        }
        let score = try unit("score")
        let confidence = try unit("confidence")
        guard case .array(let items) = members["evidence"] ?? .null else { throw Invalid(message: "'\(path).evidence' must be an array of quotes") }
        guard items.count <= ScoringSchema.maximumQuotes else {
            throw Invalid(message: "'\(path).evidence' has \(items.count) quotes; at most \(ScoringSchema.maximumQuotes) are allowed")
        }
        var quotes: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let quote) = item else { throw Invalid(message: "'\(path).evidence[\(index)]' must be a string") }
            quotes.append(quote)
        }
        return Scored(score: score, confidence: confidence, quotes: quotes)
    }

    private static func unfenced(_ content: String) -> String {
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("```"), text.hasSuffix("```"), text.count >= 6 else { return text }
        text = String(text.dropFirst(3).dropLast(3))
        // The fence's info string ("json") runs to the end of its line.
        if let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
