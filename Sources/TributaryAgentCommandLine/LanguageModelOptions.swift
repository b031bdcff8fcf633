import ArgumentParser
import Foundation
import TributaryAnalysis
import TributaryLLMClient

/// Where the language-model lane's endpoint is: the deployment's to say, never an
/// experiment's. The key comes from a file or the environment, never from the command line,
/// where any user of the host could read it in the process table.
public struct LanguageModelOptions: ParsableArguments {
    @Option(
        name: .customLong("llm-base-url"),
        help: "OpenAI-compatible endpoint (e.g. http://127.0.0.1:8085/v1); the agent then serves analyser kind llm. Default: $TRIBUTARY_LLM_BASE_URL.")
    public var baseURL: String?

    @Option(
        name: .customLong("llm-api-key-file"),
        help: "File holding the endpoint's API key (its first line). Default: $TRIBUTARY_LLM_API_KEY holds the key itself; neither: no key.")
    public var apiKeyFile: String?

    @Option(name: .customLong("llm-timeout"), help: "Seconds one call to the model may take before it fails (transient, retried).")
    public var timeout: Int = 120

    @Option(
        name: .customLong("llm-schema-format"),
        help: "How the endpoint takes the answer's JSON Schema: openai (response_format json_schema) or json-object (llama.cpp's server).")
    public var schemaFormat: String = SchemaFormat.openai.rawValue

    public init() {}

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The base URL in effect: the option, else the environment.
    public var resolvedBaseURL: String? {
        let value = baseURL ?? environment["TRIBUTARY_LLM_BASE_URL"]
        return value?.isEmpty == true ? nil : value
    }

    public func validate() throws {
        guard timeout > 0 else { throw ValidationError("--llm-timeout must be positive") }
        guard SchemaFormat(rawValue: schemaFormat) != nil else {
            throw ValidationError("--llm-schema-format must be one of: \(SchemaFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let url = resolvedBaseURL {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("--llm-base-url must be an http:// or https:// URL, not '\(url)'")
            }
        }
        if let apiKeyFile, !FileManager.default.isReadableFile(atPath: apiKeyFile) {
            throw ValidationError("--llm-api-key-file: cannot read '\(apiKeyFile)'")
        }
    }

    /// The API key: the file's first line, else `TRIBUTARY_LLM_API_KEY`.
    func apiKey() throws -> String? {
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
                throw ValidationError("--llm-api-key-file: cannot read '\(apiKeyFile)'")
            }
            return text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return environment["TRIBUTARY_LLM_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The analyser of kind llm, when an endpoint is configured.
    public func batchHandler(content: ContentResolver) throws -> LanguageModelBatchHandler? {
        guard let analyser = try analyser() else { return nil }
        return LanguageModelBatchHandler(analyser: analyser, content: content)
    }

    public func analyser() throws -> LanguageModelAnalyser? {
        guard let url = resolvedBaseURL else { return nil }
        let transport = HTTPChatCompletionTransport(configuration: .init(baseURL: url, apiKey: try apiKey(), timeout: .seconds(timeout)))
        return LanguageModelAnalyser(transport: transport, schemaFormat: SchemaFormat(rawValue: schemaFormat) ?? .openai)
    }
}
