import Foundation
import TributaryCore

/// The messages sent for one document: a default built from the framework, or the
/// experiment's own template.
///
/// A template is Markdown with placeholders: `{{framework}}` (the dimensions as the default
/// prompt lists them), `{{dimensions}}` (their names), `{{research_question}}`,
/// `{{document_id}}` and `{{document}}` (the text). A template without `{{document}}` gets
/// the document appended, so no template can send a prompt without it.
public struct ScoringPrompt: Sendable, Hashable {
    public var system: String
    public var user: String

    public static func make(framework: Framework, researchQuestion: String, document: Document, template: String?) -> ScoringPrompt {
        // Small models read "confidence" as a percentage, and llama.cpp's grammar cannot hold
        // a number to a range, so the prompt says it in words.
        let system =
            "You score documents for a research study. Answer with one JSON object and nothing else: "
            + "for each dimension a score from 0 to 1, a confidence from 0 to 1 (a fraction, never a percentage: 1 is certain), and at most "
            + "\(ScoringSchema.maximumQuotes) evidence quotes copied word for word from the document."
        let values = [
            "framework": describe(framework),
            "dimensions": framework.dimensions.map(\.name).joined(separator: ", "),
            "research_question": researchQuestion,
            "document_id": document.id,
            "document": document.text,
        ]
        guard let template else {
            var user = ""
            if !researchQuestion.isEmpty { user += "Research question: \(researchQuestion)\n\n" }
            user += "Dimensions:\n\(values["framework"]!)\n\nDocument \(document.id):\n\"\"\"\n\(document.text)\n\"\"\""
            return ScoringPrompt(system: system, user: user)
        }
        var user = template
        for (name, value) in values where name != "document" {
            user = user.replacingAll("{{\(name)}}", with: value)
        }
        // The document last, so that text inside it that looks like a placeholder stays as it is.
        if user.contains("{{document}}") {
            user = user.replacingAll("{{document}}", with: document.text)
        } else {
            user += "\n\nDocument \(document.id):\n\"\"\"\n\(document.text)\n\"\"\""
        }
        return ScoringPrompt(system: system, user: user)
    }

    /// The request that follows an answer that did not validate: the conversation so far, the
    /// answer, and what was wrong with it.
    public func repair(previousAnswer: String, problem: String) -> [(role: String, content: String)] {
        [
            ("system", system), ("user", user), ("assistant", previousAnswer),
            (
                "user",
                "That answer is not valid: \(problem). Answer again with only the JSON object, "
                    + "one member per dimension, each with score, confidence and evidence."
            ),
        ]
    }

    public var messages: [(role: String, content: String)] { [("system", system), ("user", user)] }

    static func describe(_ framework: Framework) -> String {
        framework.dimensions.map { dimension in
            var line = "- \(dimension.name)"
            if !dimension.description.isEmpty { line += ": \(dimension.description)" }
            let examples = dimension.raises.prefix(5).map { "\"\($0)\"" }
            if !examples.isEmpty { line += " (phrases that suggest it: \(examples.joined(separator: ", ")))" }
            let against = dimension.lowers.prefix(5).map { "\"\($0)\"" }
            if !against.isEmpty { line += " (phrases against it: \(against.joined(separator: ", ")))" }
            return line
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
