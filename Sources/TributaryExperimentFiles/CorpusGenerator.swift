import Foundation

/// Writes a large synthetic experiment folder, the same bytes for the same seed: for tests and benchmarks.
public enum CorpusGenerator {
    static let hopeWords = ["hope", "hopeful", "bright future", "welcome"]
    static let fearWords = ["fear", "afraid", "fears"]
    static let filler = [
        "the", "council", "river", "school", "harbour", "road", "family", "winter", "market", "plan", "budget", "village", "city", "work", "bridge", "water",
    ]

    /// A small deterministic generator (xorshift64*), so output never depends on the platform's RNG.
    struct Generator {
        var state: UInt64
        init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    public static func write(documents: Int, wordsPerDocument: Int, batchSize: Int, seed: UInt64, to folder: String) throws {
        let root = URL(fileURLWithPath: folder)
        let texts = root.appendingPathComponent("corpus/texts")
        try FileManager.default.createDirectory(at: texts, withIntermediateDirectories: true)
        var random = Generator(seed: seed)
        var manifest = "documents:\n"
        let groups = ["north", "south", "east"]
        for index in 0..<documents {
            let group = groups[index % groups.count]
            // Groups lean differently, so the group comparison has something to find.
            let hopeRate = [8, 4, 6][index % groups.count]
            let fearRate = [3, 7, 5][index % groups.count]
            var words: [String] = []
            for position in 0..<wordsPerDocument {
                let roll = random.below(100)
                if roll < hopeRate {
                    words.append(hopeWords[random.below(hopeWords.count)])
                } else if roll < hopeRate + fearRate {
                    words.append(fearWords[random.below(fearWords.count)])
                } else {
                    words.append(filler[random.below(filler.count)])
                }
                if position % 12 == 11 { words[words.count - 1] += "." }
            }
            let id = String(format: "doc-%06d", index)
            try (words.joined(separator: " ") + ".\n").write(to: texts.appendingPathComponent("\(id).txt"), atomically: false, encoding: .utf8)
            manifest += "  - id: \(id)\n    file: texts/\(id).txt\n    metadata:\n      region: \(group)\n"
        }
        try manifest.write(to: root.appendingPathComponent("corpus/manifest.yaml"), atomically: true, encoding: .utf8)
        try """
        name: synthetic-\(documents)-seed-\(seed)
        research_question: Do regions differ in hope and fear? (synthetic corpus)
        framework: framework.yaml
        corpus: corpus/manifest.yaml
        batch_size: \(batchSize)
        group_by: region

        """.write(to: root.appendingPathComponent("experiment.yaml"), atomically: true, encoding: .utf8)
        try """
        name: affect
        version: "1.0"
        dimensions:
          - name: hope
            raises: [\(hopeWords.joined(separator: ", "))]
          - name: fear
            raises: [\(fearWords.joined(separator: ", "))]
        derived_metrics:
          - name: tension
            formula: abs(hope - fear)
        indices:
          - name: affect
            dimensions: [hope, fear]

        """.write(to: root.appendingPathComponent("framework.yaml"), atomically: true, encoding: .utf8)
    }
}
