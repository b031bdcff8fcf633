/// Finds a model's quote in the document it claims to quote, so that only text that is really
/// there reaches a report.
///
/// A quote matches verbatim, except that runs of whitespace match any run of whitespace
/// (models re-flow line breaks) and quotation marks or an ellipsis around the quote are not
/// part of it. Offsets are in Unicode code points, as the phrase matcher's evidence is.
public struct EvidenceLocator: Sendable {
    /// The text, with whitespace runs collapsed to one space, and for each of its scalars the
    /// code-point offset in the original it came from.
    private let folded: [Unicode.Scalar]
    private let origin: [Int]
    private let original: [Unicode.Scalar]

    public init(text: String) {
        original = Array(text.unicodeScalars)
        var folded: [Unicode.Scalar] = []
        var origin: [Int] = []
        var inSpace = false
        for (offset, scalar) in original.enumerated() {
            if scalar.properties.isWhitespace {
                if !inSpace {
                    folded.append(" ")
                    origin.append(offset)
                }
                inSpace = true
            } else {
                folded.append(scalar)
                origin.append(offset)
                inSpace = false
            }
        }
        self.folded = folded
        self.origin = origin
    }

    public struct Match: Sendable, Hashable {
        /// The quoted text as the document has it.
        public var text: String
        public var start: Int
        public var end: Int
    }

    /// Where `quote` first occurs in the text; `nil` when it does not (or is empty).
    public func locate(_ quote: String) -> Match? {
        let needle = Self.fold(Self.trimmed(quote))
        guard !needle.isEmpty, needle.count <= folded.count else { return nil }
        let first = needle[0]
        var index = 0
        while index + needle.count <= folded.count {
            if folded[index] == first, Array(folded[index..<index + needle.count]) == needle {
                let start = origin[index]
                let end = origin[index + needle.count - 1] + 1
                let text = String(String.UnicodeScalarView(original[start..<end]))
                return Match(text: text, start: start, end: end)
            }
            index += 1
        }
        return nil
    }

    private static let surrounding: Set<Unicode.Scalar> = ["\"", "'", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}", "\u{2026}", "\u{00AB}", "\u{00BB}"]

    private static func trimmed(_ quote: String) -> [Unicode.Scalar] {
        var scalars = Array(quote.unicodeScalars)
        func strip() -> Bool {
            if let first = scalars.first, first.properties.isWhitespace || surrounding.contains(first) {
                scalars.removeFirst()
                return true
            }
            if let last = scalars.last, last.properties.isWhitespace || surrounding.contains(last) {
                scalars.removeLast()
                return true
            }
            // "..." written out, at either end.
            if scalars.starts(with: ["." as Unicode.Scalar, ".", "."]) {
                scalars.removeFirst(3)
                return true
            }
            if scalars.count >= 3, scalars.suffix(3).allSatisfy({ $0 == "." }) {
                scalars.removeLast(3)
                return true
            }
            return false
        }
        while strip() {}
        return scalars
    }

    private static func fold(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var folded: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                if folded.last != " " { folded.append(" ") }
            } else {
                folded.append(scalar)
            }
        }
        return folded
    }
}
