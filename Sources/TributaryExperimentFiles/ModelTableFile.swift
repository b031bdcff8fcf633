import Foundation
import TributaryCore
import Yams

/// Reads the orchestrator's model table (`--models FILE`): YAML, one entry per model name.
///
/// ```yaml
/// gemma-3-270m:
///   requests_per_minute: 60
///   tokens_per_minute: 20000
///   input_price_per_million: 0.10
///   output_price_per_million: 0.40
/// ```
public enum ModelTableFile {
    struct Entry: Decodable {
        var requestsPerMinute: Double?
        var tokensPerMinute: Double?
        var inputPricePerMillion: Double?
        var outputPricePerMillion: Double?

        enum CodingKeys: String, CodingKey {
            case requestsPerMinute = "requests_per_minute"
            case tokensPerMinute = "tokens_per_minute"
            case inputPricePerMillion = "input_price_per_million"
            case outputPricePerMillion = "output_price_per_million"
        }

        /// Misspelt keys are refused: a limit that silently does not apply is how a run meets
        /// a provider's 429s.
        init(from decoder: any Decoder) throws {
            let known = try decoder.container(keyedBy: AnyKey.self)
            if let unknown = known.allKeys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
                throw DecodingError.dataCorruptedError(
                    forKey: unknown, in: known,
                    debugDescription:
                        "unknown setting '\(unknown.stringValue)'; the settings are requests_per_minute, tokens_per_minute, input_price_per_million and output_price_per_million"
                )
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            requestsPerMinute = try container.decodeIfPresent(Double.self, forKey: .requestsPerMinute)
            tokensPerMinute = try container.decodeIfPresent(Double.self, forKey: .tokensPerMinute)
            inputPricePerMillion = try container.decodeIfPresent(Double.self, forKey: .inputPricePerMillion)
            outputPricePerMillion = try container.decodeIfPresent(Double.self, forKey: .outputPricePerMillion)
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The table a command is configured with: `path` (its `--models`), else the file
    /// `TRIBUTARY_MODELS_FILE` names, else an empty table (nothing metered or priced).
    public static func configured(_ path: String?) throws(ExperimentFileError) -> ModelTable {
        let environment = ProcessInfo.processInfo.environment["TRIBUTARY_MODELS_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = path ?? environment else { return ModelTable() }
        return try load(path)
    }

    public static func load(_ path: String) throws(ExperimentFileError) -> ModelTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ExperimentFileError(file: path, "cannot read the model table") }
        guard let text = String(validating: data, as: UTF8.self) else { throw ExperimentFileError(file: path, "not valid UTF-8") }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ExperimentFileError) -> ModelTable {
        let entries: [String: Entry]
        do {
            entries = try YAMLDecoder().decode([String: Entry].self, from: text)
        } catch let error as DecodingError {
            throw ExperimentFileError(file: file, "\(MessageCoding.describe(error))")
        } catch {
            throw ExperimentFileError(file: file, "not valid YAML: \(error)")
        }
        let table = ModelTable(
            entries.mapValues {
                ModelLimits(
                    requestsPerMinute: $0.requestsPerMinute, tokensPerMinute: $0.tokensPerMinute,
                    inputPricePerMillion: $0.inputPricePerMillion ?? 0, outputPricePerMillion: $0.outputPricePerMillion ?? 0)
            })
        if let problem = table.problems.first { throw ExperimentFileError(file: file, field: problem.field, problem.message) }
        return table
    }
}
