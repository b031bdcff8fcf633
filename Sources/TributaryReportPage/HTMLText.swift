import Foundation

/// Text for HTML: every value from an experiment (names, ids, evidence, model output) goes
/// through ``escape(_:)`` before it is part of a page.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        replacing(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])
    }

    /// JSON inside a `<script>` element: `<`, `>` and `&` as `\u` escapes, so no string in
    /// it can end the element or open a comment; the JSON means the same.
    public static func scriptJSON(_ json: String) -> String {
        replacing(json, ["<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u{2028}": "\\u2028", "\u{2029}": "\\u2029"])
    }

    private static func replacing(_ text: String, _ replacements: [Character: String]) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            if let replacement = replacements[character] { result += replacement } else { result.append(character) }
        }
        return result
    }

    /// `sentence` with the first occurrence of `phrase` (ignoring case) marked.
    public static func highlight(_ phrase: String, in sentence: String) -> String {
        guard !phrase.isEmpty, let range = sentence.range(of: phrase, options: [.caseInsensitive]) else { return escape(sentence) }
        return escape(String(sentence[..<range.lowerBound])) + "<mark>" + escape(String(sentence[range])) + "</mark>"
            + escape(String(sentence[range.upperBound...]))
    }
}
