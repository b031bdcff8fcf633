import Foundation
import TributaryCore

/// How an endpoint takes the answer's JSON Schema: a deployment setting, since endpoints differ.
public enum SchemaFormat: String, Sendable, Hashable, CaseIterable {
    /// `response_format: {type: json_schema, json_schema: {name, schema, strict}}` (OpenAI, vLLM, LiteLLM).
    case openai
    /// `response_format: {type: json_object, schema}` (llama.cpp's server, which refuses the other with a 500).
    case jsonObject = "json-object"
}

/// The body of `POST {base_url}/chat/completions`.
public struct ChatCompletionRequest: Sendable, Hashable {
    public var model: String
    public var messages: [(role: String, content: String)]
    public var temperature: Double
    public var topP: Double?
    public var seed: Int?
    public var maxTokens: Int
    public var schema: JSONValue
    public var schemaName: String
    public var schemaFormat: SchemaFormat

    public init(
        model: String, messages: [(role: String, content: String)], settings: AnalyserSettings, schema: JSONValue, schemaName: String,
        schemaFormat: SchemaFormat
    ) {
        self.model = model
        self.messages = messages
        self.temperature = settings.temperature
        self.topP = settings.topP
        self.seed = settings.seed
        self.maxTokens = settings.maxOutputTokens
        self.schema = schema
        self.schemaName = schemaName
        self.schemaFormat = schemaFormat
    }

    public var json: JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
            "temperature": .number(temperature),
            "max_tokens": .number(Double(maxTokens)),
            "stream": .bool(false),
        ]
        if let topP { body["top_p"] = .number(topP) }
        if let seed { body["seed"] = .number(Double(seed)) }
        switch schemaFormat {
        case .openai:
            body["response_format"] = .object([
                "type": .string("json_schema"),
                "json_schema": .object(["name": .string(schemaName), "schema": schema, "strict": .bool(true)]),
            ])
        case .jsonObject:
            body["response_format"] = .object(["type": .string("json_object"), "schema": schema])
        }
        return .object(body)
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(json))
    }

    public static func == (lhs: ChatCompletionRequest, rhs: ChatCompletionRequest) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

/// The parts of a Chat Completions answer that analysis and provenance need.
public struct ChatCompletionResponse: Sendable, Hashable, Decodable {
    public struct Choice: Sendable, Hashable, Decodable {
        public struct Message: Sendable, Hashable, Decodable {
            public var content: String?
        }
        public var message: Message
        public var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    public struct Usage: Sendable, Hashable, Decodable {
        public var promptTokens: Int
        public var completionTokens: Int

        public init(promptTokens: Int, completionTokens: Int) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }

    public var id: String?
    public var model: String?
    public var systemFingerprint: String?
    public var choices: [Choice]
    public var usage: Usage?

    enum CodingKeys: String, CodingKey {
        case id, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }

    /// The first choice's text; an answer without one is not an answer.
    public var content: String? { choices.first?.message.content }

    public static func decode(_ bytes: [UInt8]) -> ChatCompletionResponse? {
        try? JSONDecoder().decode(ChatCompletionResponse.self, from: Data(bytes))
    }
}

/// An endpoint's error body, `{"error": {"message", "type", "code"}}`, as OpenAI-compatible
/// servers send it; its message is what the user sees (the endpoint's own words).
public struct ChatCompletionErrorBody: Sendable, Hashable, Decodable {
    public struct Detail: Sendable, Hashable, Decodable {
        public var message: String?
        public var type: String?
        public var code: String?
    }
    public var error: Detail

    /// Whether the body names the account's quota as exhausted (`insufficient_quota`, as type
    /// or code): a 429 that no waiting cures.
    public static func isQuotaExhausted(_ bytes: [UInt8]) -> Bool {
        guard let body = try? JSONDecoder().decode(ChatCompletionErrorBody.self, from: Data(bytes)) else { return false }
        return body.error.type == "insufficient_quota" || body.error.code == "insufficient_quota"
    }

    /// The message of an error body, or the start of the body as text when it is not one.
    public static func message(in bytes: [UInt8]) -> String {
        if let body = try? JSONDecoder().decode(ChatCompletionErrorBody.self, from: Data(bytes)), let message = body.error.message {
            return message
        }
        let text = String(decoding: bytes.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
