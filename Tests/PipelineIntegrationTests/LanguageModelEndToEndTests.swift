import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// The language-model lane through the real executables, a real broker and a real model
/// (Gemma 3 270M on llama.cpp's server): the model is weak, so these check the protocol,
/// the validation and the accounting, not the scores' research value.
@Suite(.serialized, TestBroker.required, TestLanguageModel.required) struct LanguageModelEndToEndTests {
    static let texts = [
        "We will build a bright future together. There is hope in every street.",
        "People are afraid. The fear of the flood is everywhere tonight.",
        "The council met on Tuesday and approved the budget for the library.",
    ]

    static func spec(name: String) -> ExperimentSpec {
        var spec = ExperimentSpec(
            name: name, researchQuestion: "How hopeful or fearful is each text?",
            framework: Framework(
                name: "affect", version: "1",
                dimensions: [
                    Dimension(name: "hope", description: "Optimism about the future", raises: ["hope", "bright future"]),
                    Dimension(name: "fear", description: "Anxiety about threats", raises: ["fear", "afraid"]),
                ]),
            documents: texts.enumerated().map { Document(id: "doc-\($0.offset)", text: $0.element, metadata: [:]) }, batchSize: 1)
        spec.analyser = AnalyserSettings(kind: .llm, model: TestLanguageModel.model, temperature: 0, seed: 7, maxOutputTokens: 300)
        spec.taskTimeout = .minutes(5)
        return spec
    }

    /// An llm experiment and a default one side by side, with one analyser that has the model
    /// and one that does not: each lane's tasks reach only agents that serve it, both complete,
    /// and the llm report carries verified evidence and the model's provenance.
    @Test func theModelScoresItsExperimentAndTheDefaultLaneIsUnaffected() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1, analyserConcurrency: 2, analyserArguments: TestLanguageModel.agentArguments)
            try harness.startAnalyser(1)
            try await harness.waitUntilReady()
            let modelRun = try await harness.client.submit(Self.spec(name: "llm"))
            let plain = try await harness.client.submit(Corpus.spec(name: "plain", documents: 6, batchSize: 1))
            let plainOutcome = try await plain.outcome(within: .seconds(120))
            #expect(plainOutcome.state == .completed, "\(plainOutcome.error ?? "")")
            let outcome = try await modelRun.outcome(within: .seconds(600))
            #expect(outcome.state == .completed, "\(outcome.error ?? "")\n\(harness.logs)")
            #expect(outcome.synthesisRequests == 1 && outcome.batchesCompleted == 3)

            let output = try #require(outcome.report)
            let report = try MessageCoding.decode(CorpusReport.self, from: MessageCoding.encode(try #require(output["report"])))
            let provenance = try #require(report.provenance, "the report has no provenance")
            #expect(provenance.documentsScored == 3 && provenance.documents.map(\.id).sorted() == ["doc-0", "doc-1", "doc-2"])
            #expect(!provenance.models.isEmpty && provenance.inputTokens > 0 && provenance.outputTokens > 0)
            #expect(provenance.calls >= 3 && provenance.temperature == 0 && provenance.seed == 7)
            // Every quote in the report is the document's own text at its offsets.
            for (_, documents) in report.topDocuments {
                for document in documents {
                    let index = try #require(Int(document.id.dropFirst(4)))
                    let scalars = Array(Self.texts[index].unicodeScalars)
                    for evidence in document.evidence {
                        #expect(String(String.UnicodeScalarView(scalars[evidence.start..<evidence.end])) == evidence.sentence)
                    }
                    #expect((0...1).contains(document.rawScore))
                }
            }
            guard case .string(let markdown) = output["report_markdown"] ?? .null else {
                Issue.record("no markdown report")
                return
            }
            #expect(markdown.contains("## Model and provenance") && markdown.contains("| doc-0 |"))
            // The default experiment ran on the phrase matcher: no provenance.
            let plainReport = try MessageCoding.decode(CorpusReport.self, from: MessageCoding.encode(try #require(plainOutcome.report?["report"])))
            #expect(plainReport.provenance == nil)
        }
    }
}
