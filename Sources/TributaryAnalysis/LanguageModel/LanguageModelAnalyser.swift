import Foundation
import TributaryCore

/// What an endpoint answered to one `POST /chat/completions`.
public struct EndpointReply: Sendable, Hashable {
    public var status: Int
    /// The `Retry-After` header, when present.
    public var retryAfter: String?
    public var body: [UInt8]

    public init(status: Int, retryAfter: String? = nil, body: [UInt8]) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}

/// Sends a Chat Completions request body and returns the endpoint's answer. The HTTP
/// implementation lives with the agent; tests script one. A failure to get any answer at all
/// (refused, reset, timed out) is thrown as a transient ``TaskFailure``.
public protocol ChatCompletionTransport: Sendable {
    func send(_ body: [UInt8]) async throws(TaskFailure) -> EndpointReply
}

/// Scores documents with a language model: one call per document, the answer validated
/// against the framework's schema, one repair call quoting the problem when it is not, every
/// quote checked against the text.
public struct LanguageModelAnalyser: Sendable {
    public let transport: any ChatCompletionTransport
    public let schemaFormat: SchemaFormat
    /// The largest response body carried in the result as is; a larger one goes by reference
    /// (see ``LanguageModelDocument/rawResponse``).
    public var inlineResponseLimit = 16 << 10

    public init(transport: any ChatCompletionTransport, schemaFormat: SchemaFormat) {
        self.transport = transport
        self.schemaFormat = schemaFormat
    }

    /// The invalid answer that is still invalid after its repair.
    public static let invalidOutputCode = "invalid_model_output"

    /// One document's outcome, before it becomes a ``DocumentAnalysis``.
    public struct LanguageModelDocument: Sendable, Hashable {
        public var answer: ModelAnswer
        public var evidence: [String: [Evidence]]
        public var unverifiedEvidence: Int
        public var provenance: ModelProvenance
        /// The final response body in full (the caller decides whether it goes inline).
        public var rawResponse: [UInt8]
        public var repaired: Bool
    }

    public func analyse(_ document: Document, framework: Framework, researchQuestion: String, settings: AnalyserSettings) async throws(TaskFailure)
        -> LanguageModelDocument
    {
        guard let model = settings.model else { throw TaskFailure(code: "invalid_experiment", message: "analyser.model is required", permanent: true) }
        let prompt = ScoringPrompt.make(framework: framework, researchQuestion: researchQuestion, document: document, template: settings.prompt)
        let schema = ScoringSchema.schema(for: framework)
        let clock = ContinuousClock()
        let started = clock.now
        var messages = prompt.messages
        var calls = 0
        var inputTokens = 0
        var outputTokens = 0
        while true {
            let request = ChatCompletionRequest(
                model: model, messages: messages, settings: settings, schema: schema, schemaName: ScoringSchema.name(for: framework), schemaFormat: schemaFormat
            )
            let body: [UInt8]
            do {
                body = try request.encoded()
            } catch {
                throw TaskFailure(code: "invalid_experiment", message: "the request could not be encoded: \(error)", permanent: true)
            }
            let reply = try await transport.send(body)
            calls += 1
            guard reply.status == 200 else { throw EndpointFailure.forStatus(reply.status, body: reply.body, retryAfter: reply.retryAfter) }
            guard let response = ChatCompletionResponse.decode(reply.body) else {
                // A 200 that is not a completion is the endpoint's fault, not the document's.
                throw TaskFailure(
                    code: "llm_unavailable", message: "the endpoint's answer is not a chat completion: \(ChatCompletionErrorBody.message(in: reply.body))")
            }
            inputTokens += response.usage?.promptTokens ?? 0
            outputTokens += response.usage?.completionTokens ?? 0
            let content = response.content ?? ""
            do {
                let answer = try ModelAnswer.parse(content, framework: framework)
                let (evidence, unverified) = Self.verify(answer, in: document.text)
                let provenance = ModelProvenance(
                    model: response.model ?? model, systemFingerprint: response.systemFingerprint, seed: settings.seed, temperature: settings.temperature,
                    inputTokens: inputTokens, outputTokens: outputTokens, calls: calls,
                    latencyMilliseconds: Int((clock.now - started) / .milliseconds(1)),
                    rawResponse: nil)
                return LanguageModelDocument(
                    answer: answer, evidence: evidence, unverifiedEvidence: unverified, provenance: provenance, rawResponse: reply.body, repaired: calls > 1)
            } catch {
                guard calls == 1 else {
                    var failure = TaskFailure(
                        code: Self.invalidOutputCode, message: "document \(document.id): the answer was invalid twice, the second time: \(error.message)",
                        permanent: true)
                    failure.usage = ModelUsage(model: model, requests: calls, inputTokens: inputTokens, outputTokens: outputTokens, repairs: 1)
                    throw failure
                }
                messages = prompt.repair(previousAnswer: content, problem: error.message)
            }
        }
    }

    /// Each quote located in the text; the ones that are not there are dropped and counted.
    static func verify(_ answer: ModelAnswer, in text: String) -> (evidence: [String: [Evidence]], unverified: Int) {
        let locator = EvidenceLocator(text: text)
        var evidence: [String: [Evidence]] = [:]
        var unverified = 0
        for (name, scored) in answer.dimensions {
            var found: [Evidence] = []
            for quote in scored.quotes {
                guard let match = locator.locate(quote) else {
                    unverified += 1
                    continue
                }
                // A quote inside one already kept says nothing more; one around it replaces it.
                guard !found.contains(where: { $0.start <= match.start && match.end <= $0.end }) else { continue }
                found.removeAll { match.start <= $0.start && $0.end <= match.end }
                found.append(Evidence(sentence: match.text, start: match.start, end: match.end, phrase: ""))
            }
            evidence[name] = found.sorted { $0.start < $1.start }
        }
        return (evidence, unverified)
    }
}
