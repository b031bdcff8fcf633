import Foundation
import Testing
import TributaryAnalysis
import TributaryCore

@Suite struct LanguageModelTests {
    let framework = Framework(
        name: "hope and fear", version: "1",
        dimensions: [
            Dimension(name: "hope", description: "Optimism about the future", raises: ["bright future", "together we can"]),
            Dimension(name: "fear", description: "Threat and danger", raises: ["danger"], lowers: ["safe"]),
        ])

    @Test func schemaIsClosedRequiresEveryDimensionAndBoundsTheValues() throws {
        let schema = ScoringSchema.schema(for: framework)
        #expect(schema["additionalProperties"] == .bool(false))
        #expect(schema["required"] == .array([.string("hope"), .string("fear")]))
        let hope = try #require(schema["properties"]?["hope"])
        #expect(hope["required"] == .array([.string("score"), .string("confidence"), .string("evidence")]))
        #expect(hope["properties"]?["score"]?["maximum"] == .number(1))
        #expect(hope["properties"]?["evidence"]?["maxItems"] == .number(3))
        #expect(ScoringSchema.name(for: framework) == "scores_hope_and_fear")
    }

    @Test func aValidAnswerIsReadAndAFencedOneToo() throws {
        let json = #"{"hope": {"score": 0.8, "confidence": 0.6, "evidence": ["a bright future"]}, "fear": {"score": 0, "confidence": 1, "evidence": []}}"#
        let answer = try ModelAnswer.parse(json, framework: framework)
        #expect(answer.dimensions["hope"] == ModelAnswer.Scored(score: 0.8, confidence: 0.6, quotes: ["a bright future"]))
        #expect(answer.dimensions["fear"]?.score == 0)
        #expect(try ModelAnswer.parse("```json\n\(json)\n```", framework: framework) == answer)
    }

    @Test(arguments: [
        ("not json", "the answer is not valid JSON"),
        ("[1]", "the answer must be a JSON object with one member per dimension"),
        (#"{"hope": {"score": 1, "confidence": 1, "evidence": []}}"#, "the dimension 'fear' is missing"),
        (
            #"{"hope": {"score": 1, "confidence": 1, "evidence": []}, "fear": {"score": 1, "confidence": 1, "evidence": []}, "joy": {}}"#,
            "'joy' is not a dimension"
        ),
        (
            #"{"hope": {"score": 1.5, "confidence": 1, "evidence": []}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#,
            "'hope.score' must be a number from 0 to 1"
        ),
        (
            #"{"hope": {"score": 1, "confidence": "high", "evidence": []}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#,
            "'hope.confidence' must be a number from 0 to 1"
        ),
        (#"{"hope": {"score": 1, "confidence": 1}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#, "'hope.evidence' must be an array of quotes"),
        (
            #"{"hope": {"score": 1, "confidence": 1, "evidence": ["a", "b", "c", "d"]}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#,
            "'hope.evidence' has 4 quotes"
        ),
        (
            #"{"hope": {"score": 1, "confidence": 1, "evidence": [3]}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#,
            "'hope.evidence[0]' must be a string"
        ),
        (
            #"{"hope": {"score": 1, "confidence": 1, "evidence": [], "why": "x"}, "fear": {"score": 1, "confidence": 1, "evidence": []}}"#,
            "'hope.why' is not allowed"
        ),
    ])
    func anInvalidAnswerSaysWhatIsWrongInWordsForTheRepair(_ content: String, _ expected: String) {
        do {
            _ = try ModelAnswer.parse(content, framework: framework)
            Issue.record("accepted \(content)")
        } catch {
            #expect(error.message.hasPrefix(expected), "\(error.message)")
        }
    }

    @Test func evidenceIsFoundVerbatimWithCodePointOffsets() throws {
        let text = "Überall: we face danger.\nYet   together\nwe can build a bright future."
        let locator = EvidenceLocator(text: text)
        let danger = try #require(locator.locate("we face danger"))
        #expect(danger.start == 9 && danger.end == 23 && danger.text == "we face danger")
        // Re-flowed whitespace and quotation marks around the quote still match; the offsets
        // and text are the document's own.
        let together = try #require(locator.locate("\u{201C}Yet together we can\u{201D}"))
        #expect(together.text == "Yet   together\nwe can")
        let scalars = Array(text.unicodeScalars)
        #expect(String(String.UnicodeScalarView(scalars[together.start..<together.end])) == together.text)
        #expect(locator.locate("...a bright future...")?.text == "a bright future")
        #expect(locator.locate("a dark future") == nil)
        #expect(locator.locate("We face danger") == nil, "verbatim: case matters")
        #expect(locator.locate("  \"\" ") == nil)
    }

    @Test func defaultPromptNamesEveryDimensionAndCarriesTheDocument() {
        let document = Document(id: "d1", text: "The future is bright.", metadata: [:])
        let prompt = ScoringPrompt.make(framework: framework, researchQuestion: "Is it hopeful?", document: document, template: nil)
        #expect(prompt.user.contains("- hope: Optimism about the future (phrases that suggest it: \"bright future\", \"together we can\")"))
        #expect(prompt.user.contains("(phrases against it: \"safe\")"))
        #expect(prompt.user.contains("Research question: Is it hopeful?") && prompt.user.contains("The future is bright."))
        #expect(prompt.system.contains("at most 3 evidence quotes"))
    }

    @Test func templatePlaceholdersAreFilledAndTheDocumentIsNeverLeftOut() {
        let document = Document(id: "d1", text: "Text with {{dimensions}} inside.", metadata: [:])
        let filled = ScoringPrompt.make(
            framework: framework, researchQuestion: "Q", document: document,
            template: "Score {{document_id}} on {{dimensions}} for {{research_question}}:\n{{document}}")
        #expect(filled.user == "Score d1 on hope, fear for Q:\nText with {{dimensions}} inside.")
        let without = ScoringPrompt.make(framework: framework, researchQuestion: "", document: document, template: "Score it.")
        #expect(without.user.hasPrefix("Score it.") && without.user.contains("Text with {{dimensions}} inside."))
        let repair = filled.repair(previousAnswer: "{}", problem: "the dimension 'hope' is missing")
        #expect(repair.map(\.role) == ["system", "user", "assistant", "user"])
        #expect(repair[3].content.contains("the dimension 'hope' is missing"))
    }

    @Test func requestCarriesTheSettingsAndTheSchemaInTheEndpointsForm() throws {
        let settings = AnalyserSettings(kind: .llm, model: "gemma-3-270m", temperature: 0, topP: 1, seed: 7, maxOutputTokens: 300)
        let schema = ScoringSchema.schema(for: framework)
        func body(_ format: SchemaFormat) throws -> JSONValue {
            let request = ChatCompletionRequest(
                model: "gemma-3-270m", messages: [("user", "hi")], settings: settings, schema: schema, schemaName: "s", schemaFormat: format)
            return try JSONDecoder().decode(JSONValue.self, from: Data(try request.encoded()))
        }
        let openai = try body(.openai)
        #expect(openai["model"] == .string("gemma-3-270m") && openai["seed"] == .number(7) && openai["max_tokens"] == .number(300))
        #expect(openai["temperature"] == .number(0) && openai["top_p"] == .number(1))
        #expect(openai["response_format"]?["type"] == .string("json_schema"))
        #expect(openai["response_format"]?["json_schema"]?["schema"] == schema)
        let llama = try body(.jsonObject)
        #expect(llama["response_format"] == .object(["type": .string("json_object"), "schema": schema]))
    }

    @Test func responsesAreReadWithUsageAndProvenance() throws {
        let bytes = Array(
            #"{"id":"c1","model":"gemma-3-270m-it","system_fingerprint":"fp_1","choices":[{"index":0,"message":{"role":"assistant","content":"{}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":101,"completion_tokens":49,"total_tokens":150}}"#
                .utf8)
        let response = try #require(ChatCompletionResponse.decode(bytes))
        #expect(response.model == "gemma-3-270m-it" && response.systemFingerprint == "fp_1" && response.content == "{}")
        #expect(response.usage == ChatCompletionResponse.Usage(promptTokens: 101, completionTokens: 49))
        #expect(ChatCompletionResponse.decode(Array("<html>".utf8)) == nil)
    }

    @Test func endpointFailuresAreClassifiedAndRetryAfterIsRead() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let limited = EndpointFailure.forStatus(
            429, body: Array(#"{"error":{"message":"Rate limit reached","type":"requests"}}"#.utf8), retryAfter: "2", now: now)
        #expect(limited.isRateLimited && limited.retryAfterSeconds == 2 && limited.message == "the endpoint answered 429: Rate limit reached")
        let busy = EndpointFailure.forStatus(503, body: [], retryAfter: nil, now: now)
        #expect(busy.isRateLimited && busy.retryAfterSeconds == nil && busy.message.hasSuffix("(empty body)"))
        let wrongModel = EndpointFailure.forStatus(404, body: Array(#"{"error":{"message":"model 'x' not found"}}"#.utf8), retryAfter: nil, now: now)
        #expect(wrongModel.permanent && wrongModel.code == "llm_rejected" && wrongModel.message.contains("model 'x' not found"))
        let broke = EndpointFailure.forStatus(
            429, body: Array(#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#.utf8),
            retryAfter: "2", now: now)
        #expect(broke.permanent && !broke.isRateLimited && broke.code == "llm_quota_exhausted", "no wait brings a quota back")
        let crashed = EndpointFailure.forStatus(500, body: Array("boom".utf8), retryAfter: nil, now: now)
        #expect(!crashed.permanent && !crashed.isRateLimited && crashed.code == "llm_unavailable")
        #expect(EndpointFailure.parseRetryAfter("1.5", now: now) == 1.5)
        #expect(EndpointFailure.parseRetryAfter("-1", now: now) == nil && EndpointFailure.parseRetryAfter("soon", now: now) == nil)
        let date = EndpointFailure.parseRetryAfter("Fri, 15 Jan 2027 08:00:05 GMT", now: now)
        #expect(date == 5)
    }

    @Test func rateLimitedFailuresTravelWithTheirRetryAfter() throws {
        let failure = TaskFailure(code: TaskFailure.rateLimitedCode, message: "429", retryAfterSeconds: 2)
        let decoded = try MessageCoding.decode(TaskFailure.self, from: MessageCoding.encode(failure))
        #expect(decoded == failure && decoded.isRateLimited)
        let old = try MessageCoding.decode(TaskFailure.self, from: Array(#"{"code":"x","message":"y"}"#.utf8))
        #expect(old.retryAfterSeconds == nil && !old.isRateLimited)
    }
}
