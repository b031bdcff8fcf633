import Foundation
import Testing

/// The real model the language-model suites run against: `TRIBUTARY_TEST_LLM_URL`, an
/// OpenAI-compatible base URL (`http://127.0.0.1:8085/v1`), serving the model named
/// `TRIBUTARY_TEST_LLM_MODEL` (default `gemma-3-270m`) with llama.cpp's schema form unless
/// `TRIBUTARY_TEST_LLM_SCHEMA_FORMAT` says otherwise. `Deploy/local/test.sh` starts one with
/// start-llm.sh and sets them; without them those suites are skipped and say so.
package enum TestLanguageModel {
    static let environment = ProcessInfo.processInfo.environment
    package static let url: String? = environment["TRIBUTARY_TEST_LLM_URL"].flatMap { $0.isEmpty ? nil : $0 }
    package static let model = environment["TRIBUTARY_TEST_LLM_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "gemma-3-270m"
    package static let schemaFormat = environment["TRIBUTARY_TEST_LLM_SCHEMA_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "json-object"

    package static var required: ConditionTrait {
        .enabled(if: url != nil, "needs a language model: set TRIBUTARY_TEST_LLM_URL (Deploy/local/test.sh does, with start-llm.sh)")
    }

    /// The analyse agent's options for the model.
    package static var agentArguments: [String] {
        ["--llm-base-url", url ?? "", "--llm-schema-format", schemaFormat, "--llm-timeout", "120"]
    }
}
