/// A document's words and sentences with their positions, for phrase matching.
///
/// Offsets count Unicode code points from the start of the text (the same as Python string
/// indices), so evidence can be located by any consumer of the JSON.
struct TextIndex {
    struct Token {
        var text: String
        var start: Int
        var end: Int
        var sentence: Int
    }

    struct Sentence {
        var start: Int
        var end: Int
    }

    let scalars: [Unicode.Scalar]
    private(set) var tokens: [Token] = []
    private(set) var sentences: [Sentence] = []

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var sentenceStart = 0
        var index = 0
        func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if isWordScalar(scalar) {
                let start = index
                while index < scalars.count {
                    let s = scalars[index]
                    let innerApostrophe = (s == "'" || s == "\u{2019}") && index + 1 < scalars.count && isWordScalar(scalars[index + 1])
                    guard isWordScalar(s) || innerApostrophe else { break }
                    index += 1
                }
                tokens.append(Token(text: Self.caseFolded(scalars[start..<index]), start: start, end: index, sentence: sentences.count))
                continue
            }
            let endsSentence = scalar == "." || scalar == "!" || scalar == "?" || scalar == "\n"
            index += 1
            if endsSentence, index >= scalars.count || scalars[index].properties.isWhitespace || scalar == "\n" {
                closeSentence(from: sentenceStart, to: index)
                sentenceStart = index
            }
        }
        closeSentence(from: sentenceStart, to: scalars.count)
    }

    private mutating func closeSentence(from start: Int, to end: Int) {
        var start = start
        var end = end
        while start < end, scalars[start].properties.isWhitespace { start += 1 }
        while end > start, scalars[end - 1].properties.isWhitespace { end -= 1 }
        guard start < end else { return }
        sentences.append(Sentence(start: start, end: end))
    }

    func text(from start: Int, to end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    /// Unicode full case folding (the default, not the Turkic variant), so that matching
    /// ignores case the way the standard defines it: `Σ`, `σ` and final `ς` all fold to `σ`,
    /// `ß` and `ẞ` to `ss`, `ﬁ` to `fi`, `İ` to `i` + U+0307 COMBINING DOT ABOVE, and dotless `ı`
    /// stays `ı`. Plain lowercasing gets the last three wrong and depends on position for sigma.
    ///
    /// The standard library has no case-folding call, but a scalar's fold is the first of
    /// lower(upper(lower(s))), lower(s), upper(s) that no longer changes when folded; checked
    /// against Python's `str.casefold` for every code point of Unicode 14, equal up to
    /// canonical equivalence (which `String ==` already ignores).
    static func caseFolded(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in scalars {
            guard scalar.properties.changesWhenCaseFolded else {
                folded.append(scalar)
                continue
            }
            let lower = scalar.properties.lowercaseMapping
            let upper = lower.unicodeScalars.map(\.properties.uppercaseMapping).joined()
            let lowerAgain = upper.unicodeScalars.map(\.properties.lowercaseMapping).joined()
            let fold = [lowerAgain, lower, upper].first { $0.unicodeScalars.allSatisfy { !$0.properties.changesWhenCaseFolded } } ?? lowerAgain
            folded.append(contentsOf: fold.unicodeScalars)
        }
        return String(folded)
    }

    /// A phrase as the case-folded word sequence it must match.
    static func words(of phrase: String) -> [String] {
        TextIndex(phrase).tokens.map(\.text)
    }
}
