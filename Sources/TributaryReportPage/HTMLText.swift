import Foundation

/// Text for HTML: every value from an experiment (names, ids, evidence, model output) goes
/// through ``escape(_:)`` before it is part of a page.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// JSON inside a `<script>` element: `<`, `>` and `&` as `\u` escapes, so no string in
    /// it can end the element or open a comment; the JSON means the same.
    public static func scriptJSON(_ json: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(json.utf8.count)
        for character in json {
            switch character {
            case "<": escaped += "\\u003c"
            case ">": escaped += "\\u003e"
            case "&": escaped += "\\u0026"
            case "\u{2028}": escaped += "\\u2028"
            case "\u{2029}": escaped += "\\u2029"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `sentence` with the first occurrence of `phrase` (ignoring case) marked.
    public static func highlight(_ phrase: String, in sentence: String) -> String {
        guard !phrase.isEmpty, let range = sentence.range(of: phrase, options: [.caseInsensitive]) else { return escape(sentence) }
        return escape(String(sentence[..<range.lowerBound])) + "<mark>" + escape(String(sentence[range])) + "</mark>"
            + escape(String(sentence[range.upperBound...]))
    }
}
