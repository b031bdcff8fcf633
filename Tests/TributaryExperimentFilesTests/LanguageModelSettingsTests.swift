import Foundation
import Testing
import TributaryCore
import TributaryExperimentFiles
import TributaryTestSupport

@Suite struct LanguageModelSettingsTests {
    func sampleWith(_ yaml: String, files: [String: String] = [:]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("experiment-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Deploy/sample/hope-and-fear"), to: folder)
        let file = folder.appendingPathComponent("experiment.yaml")
        try (try String(contentsOf: file, encoding: .utf8) + "\n" + yaml + "\n").write(to: file, atomically: true, encoding: .utf8)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    func message(_ folder: URL) -> String {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try ExperimentFiles.load(folder.path)
            return "loaded without error"
        } catch {
            return error.description
        }
    }

    @Test func analyserAndBudgetAreReadAndTravelInTheContract() throws {
        let folder = try sampleWith(
            """
            analyser:
              kind: llm
              model: gemma-3-270m
              top_p: 1
              seed: 7
              max_output_tokens: 300
              prompt: prompt.md
              pilot_documents: 1
              replicates: 5
            budget:
              max_cost: 5.00
            """, files: ["prompt.md": "Score {{document_id}} on {{dimensions}}:\n{{document}}\n"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try ExperimentFiles.load(folder.path)
        var expected = AnalyserSettings(
            kind: .llm, model: "gemma-3-270m", temperature: 0, topP: 1, seed: 7, maxOutputTokens: 300,
            prompt: "Score {{document_id}} on {{dimensions}}:\n{{document}}\n", pilotDocuments: 1)
        expected.replicates = 5
        #expect(spec.analyser == expected)
        #expect(spec.budget == Budget(maxCost: 5))
        let json = String(decoding: try MessageCoding.encode(spec), as: UTF8.self)
        #expect(json.contains(#""max_output_tokens":300"#) && json.contains(#""pilot_documents":1"#) && json.contains(#""max_cost":5"#))
        #expect(json.contains(#""replicates":5"#))
        #expect(try MessageCoding.decode(ExperimentSpec.self, from: MessageCoding.encode(spec)) == spec)
    }

    @Test func severalModelsAreReadAsAList() throws {
        let folder = try sampleWith("analyser:\n  kind: llm\n  models: [gemma-3-270m, other-model]\n  seed: 3\n  replicates: 2\n")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try ExperimentFiles.load(folder.path)
        #expect(spec.analyser?.models == ["gemma-3-270m", "other-model"] && spec.analyser?.model == nil && spec.modelNames.count == 2)
        #expect(String(decoding: try MessageCoding.encode(spec), as: UTF8.self).contains(#""models":["gemma-3-270m","other-model"]"#))
    }

    @Test func anExperimentWithoutAnAnalyserEncodesAsBefore() throws {
        let spec = try ExperimentFiles.load(Repository.path("Deploy/sample/hope-and-fear"))
        #expect(spec.analyser == nil && spec.analyserKind == .builtin)
        let json = String(decoding: try MessageCoding.encode(spec), as: UTF8.self)
        #expect(!json.contains(#""analyser":"#) && !json.contains(#""budget":"#))
    }

    @Test(arguments: [
        ("analyser:\n  kind: gpt", "experiment.yaml: analyser.kind: 'gpt' is not an analyser kind: builtin, llm, external"),
        ("analyser:\n  kind: llm", "experiment.yaml: analyser.model: is required when kind is llm"),
        ("analyser:\n  kind: llm\n  model: m\n  temperature: 3", "experiment.yaml: analyser.temperature: must be between 0 and 2"),
        ("analyser:\n  kind: llm\n  model: m\n  top_p: 0", "experiment.yaml: analyser.top_p: must be above 0 and at most 1"),
        ("analyser:\n  kind: llm\n  model: m\n  max_output_tokens: 0", "experiment.yaml: analyser.max_output_tokens: must be between 1"),
        ("analyser:\n  kind: llm\n  model: m\n  pilot_documents: -1", "experiment.yaml: analyser.pilot_documents: can't be negative"),
        ("analyser:\n  kind: llm\n  model: m\n  prompt: ../outside.md", "experiment.yaml: analyser.prompt: '../outside.md' points outside"),
        ("analyser:\n  kind: llm\n  model: m\n  prompt: missing.md", "experiment.yaml: analyser.prompt: cannot read 'missing.md'"),
        ("analyser:\n  kind: llm\n  model: m\nbudget:\n  max_cost: 0", "experiment.yaml: budget.max_cost: must be positive"),
        ("analyser:\n  kind: llm\n  model: m\nbudget:\n  max_tokens: 0", "experiment.yaml: budget.max_tokens: must be at least 1"),
        ("budget:\n  max_tokens: 10", "experiment.yaml: budget: applies only to an analyser of kind llm"),
        ("analyser:\n  kind: builtin\n  replicates: 3", "experiment.yaml: analyser.replicates: must be 1 for the builtin analyser: it is deterministic"),
        ("analyser:\n  kind: llm\n  model: m\n  replicates: 3", "experiment.yaml: analyser.replicates: needs analyser.seed"),
        ("analyser:\n  kind: llm\n  model: m\n  seed: 1\n  replicates: 0", "experiment.yaml: analyser.replicates: must be between 1 and 100"),
        ("analyser:\n  kind: llm\n  models: [a]", "experiment.yaml: analyser.models: must name 2 to 8 models"),
        ("analyser:\n  kind: llm\n  model: m\n  models: [a, b]", "experiment.yaml: analyser.models: is instead of model"),
    ])
    func badSettingsAreRefusedNamingTheField(_ yaml: String, _ expected: String) throws {
        let text = message(try sampleWith(yaml))
        #expect(text.hasPrefix(expected), "\(text)")
    }

    @Test func modelTableIsReadAndCheckedNamingModelAndField() throws {
        let table = try ModelTableFile.parse(
            """
            gemma-3-270m:
              requests_per_minute: 60
              tokens_per_minute: 20000
              input_price_per_million: 0.10
              output_price_per_million: 0.40
            free-model: {}
            """, file: "models.yaml")
        #expect(table["gemma-3-270m"] == ModelLimits(requestsPerMinute: 60, tokensPerMinute: 20_000, inputPricePerMillion: 0.1, outputPricePerMillion: 0.4))
        #expect(table["free-model"] == ModelLimits())
        #expect(table["other"] == nil)

        func refusal(_ yaml: String) -> String {
            do {
                _ = try ModelTableFile.parse(yaml, file: "models.yaml")
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(refusal("m:\n  requests_per_minute: 0") == "models.yaml: m.requests_per_minute: must be positive, not 0.0")
        #expect(refusal("m:\n  input_price_per_million: -1") == "models.yaml: m.input_price_per_million: must be zero or more, not -1.0")
        #expect(refusal("m:\n  tokens_per_minte: 5").contains("unknown setting 'tokens_per_minte'"))
        #expect(refusal("m:\n  tokens_per_minute: lots").hasPrefix("models.yaml: "))
    }
}
