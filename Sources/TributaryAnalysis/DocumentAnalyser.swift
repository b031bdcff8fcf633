import TributaryCore

/// The built-in analyser: scores documents against a framework's marker phrases.
///
/// Matching is on whole words, case-insensitive (Unicode full case folding, see ``TextIndex``),
/// and phrases of several words match consecutive words. Lowering phrases are matched
/// first and the words they cover can't also count as raising (so "no longer afraid" does
/// not count as "afraid"); longer phrases win over shorter ones. Deterministic.
public struct DocumentAnalyser: Sendable {
    struct CompiledDimension {
        var name: String
        var raises: [(phrase: String, words: [String])]
        var lowers: [(phrase: String, words: [String])]
    }

    let dimensions: [CompiledDimension]
    let derived: [(name: String, formula: Formula)]

    public static let evidencePerDimension = 5

    public init(framework: Framework) throws(FormulaError) {
        func compile(_ phrases: [String]) -> [(phrase: String, words: [String])] {
            phrases.map { ($0, TextIndex.words(of: $0)) }.filter { !$0.words.isEmpty }.sorted { $0.words.count > $1.words.count }
        }
        dimensions = framework.dimensions.map { CompiledDimension(name: $0.name, raises: compile($0.raises), lowers: compile($0.lowers)) }
        let names = Set(framework.dimensions.map(\.name))
        var derived: [(String, Formula)] = []
        for metric in framework.derivedMetrics { derived.append((metric.name, try Formula.parse(metric.formula, variables: names))) }
        self.derived = derived
    }

    public func analyse(_ document: Document) -> DocumentAnalysis {
        let index = TextIndex(document.text)
        let wordCount = index.tokens.count
        var scores: [String: DimensionScore] = [:]
        for dimension in dimensions {
            var covered = [Bool](repeating: false, count: wordCount)
            let lowers = matches(dimension.lowers, in: index, covered: &covered)
            let raises = matches(dimension.raises, in: index, covered: &covered)
            let hits = raises.count + lowers.count
            var evidence: [Evidence] = []
            var seenSentences: Set<Int> = []
            for match in (raises + lowers).sorted(by: { $0.token < $1.token }) {
                let sentenceIndex = index.tokens[match.token].sentence
                guard evidence.count < Self.evidencePerDimension, sentenceIndex < index.sentences.count,
                    seenSentences.insert(sentenceIndex).inserted
                else { continue }
                let sentence = index.sentences[sentenceIndex]
                evidence.append(
                    Evidence(sentence: index.text(from: sentence.start, to: sentence.end), start: sentence.start, end: sentence.end, phrase: match.phrase))
            }
            scores[dimension.name] = DimensionScore(
                rawScore: Double(raises.count) / Double(hits + 1),
                salience: wordCount > 0 ? Double(hits) * 100 / Double(wordCount) : 0,
                confidence: Double(hits) / Double(hits + 2),
                raisesHits: raises.count, lowersHits: lowers.count, evidence: evidence)
        }
        return analysis(of: document, wordCount: wordCount, scores: scores)
    }

    /// The document's analysis from scores obtained elsewhere (a language model's): its word
    /// count and the framework's derived metrics over the raw scores.
    public func analysis(of document: Document, wordCount: Int? = nil, scores: [String: DimensionScore]) -> DocumentAnalysis {
        let values = scores.mapValues(\.rawScore)
        var derivedValues: [String: Double?] = [:]
        for (name, formula) in derived { derivedValues[name] = formula.evaluate(values) }
        return DocumentAnalysis(
            id: document.id, wordCount: wordCount ?? TextIndex(document.text).tokens.count, metadata: document.metadata, scores: scores, derived: derivedValues)
    }

    /// Non-overlapping matches of the phrases (already longest first), marking the words they cover.
    private func matches(_ phrases: [(phrase: String, words: [String])], in index: TextIndex, covered: inout [Bool]) -> [(token: Int, phrase: String)] {
        var found: [(token: Int, phrase: String)] = []
        let tokens = index.tokens
        for (phrase, words) in phrases where words.count <= tokens.count {
            var position = 0
            while position + words.count <= tokens.count {
                let range = position..<(position + words.count)
                if !covered[range].contains(true), zip(tokens[range], words).allSatisfy({ $0.text == $1 }) {
                    for i in range { covered[i] = true }
                    found.append((position, phrase))
                    position += words.count
                } else {
                    position += 1
                }
            }
        }
        return found
    }
}
