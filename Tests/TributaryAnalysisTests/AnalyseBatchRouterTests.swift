import Foundation
import Testing
import TributaryAnalysis
import TributaryCore

@Suite struct AnalyseBatchRouterTests {
    let framework = Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["bright"])])
    let document = Document(id: "d1", text: "A bright day.", metadata: [:])

    func task(_ analyser: AnalyserSettings?) -> TaskMessage {
        TaskMessage(
            experimentID: "e1", batchIndex: 0, batchCount: 1,
            payload: .analyseBatch(BatchPayload(framework: framework, documents: [document], analyser: analyser, researchQuestion: analyser == nil ? nil : "Q"))
        )
    }

    func encoded(_ output: AnalyseBatchRouter.Output) throws -> JSONValue {
        try MessageCoding.decode(JSONValue.self, from: MessageCoding.encode(output))
    }

    @Test func eachKindRunsItsAnalyserAndTheDefaultIsTheBuiltInOne() async throws {
        let model = ScriptedTransport([
            ScriptedTransport.completion(#"{"hope":{"score":0.9,"confidence":0.8,"evidence":["A bright day."]}}"#)
        ])
        let router = AnalyseBatchRouter(
            builtin: AnalyseBatchHandler(),
            languageModel: LanguageModelBatchHandler(
                analyser: LanguageModelAnalyser(transport: model, schemaFormat: .openai), content: ContentResolver(store: nil)))
        #expect(router.kinds == [.builtin, .llm])
        let byDefault = try encoded(try await router.handle(task(nil)))
        #expect(byDefault["documents"]?.arrayValue?.first?["scores"]?["hope"]?["raises_hits"] == .number(1))
        let builtin = try encoded(try await router.handle(task(AnalyserSettings(kind: .builtin))))
        #expect(builtin == byDefault)
        let scored = try encoded(try await router.handle(task(AnalyserSettings(kind: .llm, model: "m"))))
        #expect(scored["documents"]?.arrayValue?.first?["scores"]?["hope"]?["raw_score"] == .number(0.9))
        #expect(scored["usage"]?["requests"] == .number(1))
    }

    @Test func aKindTheAgentDoesNotServeFailsForGoodNamingTheOptionItLacks() async throws {
        let router = AnalyseBatchRouter(builtin: AnalyseBatchHandler())
        #expect(router.kinds == [.builtin])
        for (kind, option) in [(AnalyserSettings.Kind.llm, "--llm-base-url"), (.external, "--analyser-command")] {
            await #expect {
                _ = try await router.handle(task(AnalyserSettings(kind: kind, model: "m")))
            } throws: { error in
                (error as? TaskFailure).map { $0.permanent && $0.code == "analyser_unavailable" && $0.message.contains(option) } ?? false
            }
        }
    }
}

extension JSONValue {
    fileprivate var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
