import Foundation
import Synchronization
import Testing
import TributaryAnalysis
import TributaryCore

/// Answers from a script, one per call, and keeps what was sent.
final class ScriptedTransport: ChatCompletionTransport {
    private let state: Mutex<(replies: [EndpointReply], sent: [[UInt8]])>

    init(_ replies: [EndpointReply]) { state = Mutex((replies, [])) }

    func send(_ body: [UInt8]) async throws(TaskFailure) -> EndpointReply {
        try state.withLock { (state) throws(TaskFailure) -> EndpointReply in
            state.sent.append(body)
            guard !state.replies.isEmpty else { throw TaskFailure(code: "llm_unavailable", message: "connection reset") }
            return state.replies.removeFirst()
        }
    }

    var sent: [JSONValue] {
        state.withLock { $0.sent }.map { (try? JSONDecoder().decode(JSONValue.self, from: Data($0))) ?? .null }
    }

    static func completion(_ content: String, prompt: Int = 100, completion: Int = 50, model: String = "gemma-3-270m-it") -> EndpointReply {
        let body: JSONValue = .object([
            "id": .string("c"), "model": .string(model),
            "choices": .array([
                .object([
                    "index": .number(0), "message": .object(["role": .string("assistant"), "content": .string(content)]), "finish_reason": .string("stop"),
                ])
            ]),
            "usage": .object([
                "prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)),
                "total_tokens": .number(Double(prompt + completion)),
            ]),
        ])
        return EndpointReply(status: 200, body: Array(try! JSONEncoder().encode(body)))
    }
}

@Suite struct LanguageModelAnalyserTests {
    let framework = Framework(
        name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["bright"]), Dimension(name: "fear", raises: ["danger"])],
        derivedMetrics: [DerivedMetric(name: "balance", formula: "hope - fear")])
    let settings = AnalyserSettings(kind: .llm, model: "gemma-3-270m", seed: 7)
    let document = Document(id: "d1", text: "We see a bright future. There is no danger here.", metadata: ["g": "a"])

    func answer(hope: Double, quotes: [String] = []) -> String {
        let evidence = quotes.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"hope":{"score":\#(hope),"confidence":0.5,"evidence":[\#(evidence)]},"fear":{"score":0.25,"confidence":0.5,"evidence":[]}}"#
    }

    func handler(_ transport: ScriptedTransport) -> LanguageModelBatchHandler {
        LanguageModelBatchHandler(analyser: LanguageModelAnalyser(transport: transport, schemaFormat: .jsonObject), content: ContentResolver(store: nil))
    }

    @Test func aValidAnswerBecomesTheAnalysisTheSynthesisReadsWithProvenanceAndUsage() async throws {
        let transport = ScriptedTransport([ScriptedTransport.completion(answer(hope: 0.75, quotes: ["a bright future"]))])
        let batch = try await handler(transport).analyse(
            BatchPayload(framework: framework, documents: [document]), batchIndex: 3, settings: settings, researchQuestion: "Q")
        #expect(batch.batchIndex == 3 && batch.documents.count == 1)
        let analysis = batch.documents[0]
        #expect(analysis.scores["hope"]?.rawScore == 0.75 && analysis.scores["hope"]?.salience == nil && analysis.scores["hope"]?.raisesHits == nil)
        #expect(analysis.scores["hope"]?.evidence == [Evidence(sentence: "a bright future", start: 7, end: 22, phrase: "")])
        #expect(analysis.derived["balance"] == .some(0.5))
        #expect(analysis.wordCount == 10 && analysis.metadata == ["g": "a"])
        let provenance = try #require(analysis.provenance)
        #expect(provenance.model == "gemma-3-270m-it" && provenance.seed == 7 && provenance.calls == 1)
        #expect(provenance.inputTokens == 100 && provenance.outputTokens == 50 && provenance.rawResponse?.contains("gemma-3-270m-it") == true)
        #expect(batch.usage == ModelUsage(model: "gemma-3-270m", requests: 1, inputTokens: 100, outputTokens: 50))
        // The request asked for the experiment's model with the schema in llama.cpp's form.
        let sent = try #require(transport.sent.first)
        #expect(sent["model"] == .string("gemma-3-270m") && sent["response_format"]?["type"] == .string("json_object"))
        // The null counts are written out, so a reader tells them from a phrase matcher's zero.
        let json = String(decoding: try MessageCoding.encode(batch), as: UTF8.self)
        #expect(json.contains(#""salience":null"#) && json.contains(#""raises_hits":null"#))
        #expect(try MessageCoding.decode(BatchAnalysis.self, from: MessageCoding.encode(batch)) == batch)
    }

    @Test func anInvalidAnswerGetsOneRepairQuotingTheProblemAndIsCountedOnce() async throws {
        let transport = ScriptedTransport([
            ScriptedTransport.completion(#"{"hope":{"score":2,"confidence":0.5,"evidence":[]}}"#, prompt: 100, completion: 20),
            ScriptedTransport.completion(answer(hope: 0.5), prompt: 150, completion: 40),
        ])
        let batch = try await handler(transport).analyse(
            BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        #expect(batch.usage == ModelUsage(model: "gemma-3-270m", requests: 2, inputTokens: 250, outputTokens: 60, repairs: 1))
        #expect(batch.documents[0].provenance?.calls == 2)
        let repair = transport.sent[1]
        guard case .array(let messages) = repair["messages"] ?? .null else {
            Issue.record("no messages")
            return
        }
        #expect(messages.count == 4)
        if case .string(let text) = messages[3]["content"] ?? .null { #expect(text.contains("'hope.score' must be a number from 0 to 1")) }
    }

    @Test func twiceInvalidFailsTheBatchForGoodAndStillReportsWhatWasSpent() async throws {
        let transport = ScriptedTransport([ScriptedTransport.completion("nope"), ScriptedTransport.completion("still nope")])
        await #expect {
            _ = try await handler(transport).analyse(
                BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        } throws: { error in
            guard let failure = error as? TaskFailure else { return false }
            return failure.code == "invalid_model_output" && failure.permanent && failure.usage?.requests == 2 && failure.usage?.inputTokens == 200
        }
    }

    @Test func quotesNotInTheTextAreDroppedAndCounted() async throws {
        let transport = ScriptedTransport([ScriptedTransport.completion(answer(hope: 0.9, quotes: ["a bright future", "the sun will rise", "bright"]))])
        let batch = try await handler(transport).analyse(
            BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        #expect(batch.documents[0].scores["hope"]?.evidence.map(\.sentence) == ["a bright future"], "the overlapping quote inside it is kept once")
        #expect(batch.usage?.unverifiedEvidence == 1)
        let widening = ScriptedTransport([ScriptedTransport.completion(answer(hope: 0.9, quotes: ["bright", "a bright future"]))])
        let widened = try await handler(widening).analyse(
            BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        #expect(widened.documents[0].scores["hope"]?.evidence.map(\.sentence) == ["a bright future"], "the wider quote replaces the one inside it")
    }

    @Test func rateLimitsAndEndpointErrorsAreClassifiedAndSpendingBeforeThemIsKept() async throws {
        let limited = ScriptedTransport([
            ScriptedTransport.completion(answer(hope: 0.5)),
            EndpointReply(status: 429, retryAfter: "2", body: Array(#"{"error":{"message":"slow down"}}"#.utf8)),
        ])
        let two = [document, Document(id: "d2", text: "Danger.", metadata: [:])]
        await #expect {
            _ = try await handler(limited).analyse(BatchPayload(framework: framework, documents: two), batchIndex: 0, settings: settings, researchQuestion: "")
        } throws: { error in
            guard let failure = error as? TaskFailure else { return false }
            return failure.isRateLimited && failure.retryAfterSeconds == 2 && failure.usage?.requests == 1
        }
        let wrongKey = ScriptedTransport([EndpointReply(status: 401, body: Array(#"{"error":{"message":"Incorrect API key"}}"#.utf8))])
        await #expect {
            _ = try await handler(wrongKey).analyse(
                BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        } throws: { error in
            (error as? TaskFailure).map { $0.permanent && $0.message == "the endpoint answered 401: Incorrect API key" && $0.usage == nil } ?? false
        }
        let reset = ScriptedTransport([])
        await #expect {
            _ = try await handler(reset).analyse(
                BatchPayload(framework: framework, documents: [document]), batchIndex: 0, settings: settings, researchQuestion: "")
        } throws: { error in
            (error as? TaskFailure).map { !$0.permanent && $0.code == "llm_unavailable" } ?? false
        }
    }
}
