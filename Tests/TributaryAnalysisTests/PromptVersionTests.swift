import Testing
import TributaryAnalysis
import TributaryContentStore

@testable import TributaryCore

/// The result cache keys a language model's analyses by `languageModelPromptVersion`, not by
/// the prompt's code. This holds the default prompt, its repair and the answer schema to a
/// digest: a change to any of them fails here until the version moves with the digest, so
/// no cached answer to the old prompt is ever taken for an answer to the new one.
@Suite struct PromptVersionTests {
    static let recorded = (version: "scoring-prompt/1", digest: "f819eea1de91667db7ff3815263c59d74b653242c25ca24246a5c73f3d0a59f8")

    @Test func thePromptVersionMovesWithThePrompt() throws {
        let framework = Framework(
            name: "f", version: "1", dimensions: [Dimension(name: "hope", description: "how hopeful", raises: ["hope"]), Dimension(name: "fear", raises: [])])
        let prompt = ScoringPrompt.make(
            framework: framework, researchQuestion: "Why?", document: Document(id: "d1", text: "Some text."), template: nil)
        var hash = SHA256()
        for message in prompt.repair(previousAnswer: "{}", problem: "a problem") { hash.update(Array((message.role + "\n" + message.content + "\n").utf8)) }
        hash.update(try MessageCoding.encode(ScoringSchema.schema(for: framework)))
        hash.update(Array(ScoringSchema.name(for: framework).utf8))
        #expect(
            (AnalysisCacheKeys.languageModelPromptVersion, hash.hexDigest()) == Self.recorded,
            "the prompt or schema changed: bump AnalysisCacheKeys.languageModelPromptVersion and record the new digest here")
    }
}
