import Foundation
import Testing
import TributaryCore
import TributaryExperimentFiles
import TributaryTestSupport

@testable import TributaryAnalysis

@Suite struct ExperimentFilesTests {

    /// A copy of the sample experiment to break in one way.
    func sampleCopy(_ change: (URL) throws -> Void = { _ in }) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("experiment-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Deploy/sample/hope-and-fear"), to: folder)
        try change(folder)
        return folder
    }

    func error(_ folder: URL, limits: ExperimentLimits = ExperimentLimits()) -> String {
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try ExperimentFiles.load(folder.path, limits: limits)
            return "loaded without error"
        } catch {
            return error.description
        }
    }

    @Test func bundledSampleLoadsAndPassesValidation() throws {
        let spec = try ExperimentFiles.load(Repository.root.appendingPathComponent("Deploy/sample/hope-and-fear").path)
        #expect(spec.documents.count == 16)
        #expect(spec.groupBy == "setting")
        #expect(spec.framework.derivedMetrics.map(\.name) == ["tension", "balance"])
        #expect(Set(spec.documents.compactMap { $0.metadata["setting"] }) == ["city", "rural"])
        let report = ExperimentValidator.validate(spec)
        #expect(report.errors.isEmpty, "\(report.errors)")
    }

    @Test func missingFieldIsNamedWithItsFile() throws {
        let folder = try sampleCopy { folder in
            let url = folder.appendingPathComponent("experiment.yaml")
            try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "batch_size: 3\n", with: "").write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(error(folder) == "experiment.yaml: batch_size: required field is missing")
    }

    @Test func wrongTypeIsNamedWithItsPath() throws {
        let folder = try sampleCopy { folder in
            let url = folder.appendingPathComponent("framework.yaml")
            try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "raises: [fear, fears, afraid]", with: "raises: {a: 1}").write(
                to: url, atomically: true, encoding: .utf8)
        }
        let message = error(folder)
        #expect(message.hasPrefix("framework.yaml: dimensions[1].raises"), "\(message)")
    }

    @Test func pathsCannotEscapeTheFolder() throws {
        let folder = try sampleCopy { folder in
            let url = folder.appendingPathComponent("corpus/manifest.yaml")
            try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "file: texts/speech-02.txt", with: "file: ../../../etc/passwd").write(
                to: url, atomically: true, encoding: .utf8)
        }
        #expect(error(folder) == "corpus/manifest.yaml: documents[1].file: '../../../etc/passwd' points outside the experiment folder")
    }

    @Test func oversizedDocumentIsRefusedNotTruncated() throws {
        let folder = try sampleCopy { folder in
            try String(repeating: "hope ", count: 100).write(to: folder.appendingPathComponent("corpus/texts/speech-03.txt"), atomically: true, encoding: .utf8)
        }
        var limits = ExperimentLimits()
        limits.maxDocumentBytes = 200
        #expect(error(folder, limits: limits) == "corpus/texts/speech-03.txt: 500 bytes; the limit per document is 200")
    }

    @Test func invalidUTF8IsRefused() throws {
        let folder = try sampleCopy { folder in
            try Data([0x68, 0x6F, 0xFF, 0xFE]).write(to: folder.appendingPathComponent("corpus/texts/speech-04.txt"))
        }
        #expect(error(folder) == "corpus/texts/speech-04.txt: not valid UTF-8 text")
    }

    @Test func tooManyDocumentsIsRefused() throws {
        var limits = ExperimentLimits()
        limits.maxDocuments = 10
        #expect(error(try sampleCopy(), limits: limits) == "corpus/manifest.yaml: documents: 16 documents; the limit is 10")
    }

    @Test func generatedCorpusIsDeterministicAndValid() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let (a, b) = (base.appendingPathComponent("a").path, base.appendingPathComponent("b").path)
        try CorpusGenerator.write(documents: 50, wordsPerDocument: 40, batchSize: 7, seed: 42, to: a)
        try CorpusGenerator.write(documents: 50, wordsPerDocument: 40, batchSize: 7, seed: 42, to: b)
        let (specA, specB) = (try ExperimentFiles.load(a), try ExperimentFiles.load(b))
        #expect(specA.documents.count == 50)
        #expect(specA.documents == specB.documents)
        #expect(ExperimentValidator.validate(specA).errors.isEmpty)
    }

    func withSettings(_ yaml: String) throws -> URL {
        try sampleCopy { folder in
            let file = folder.appendingPathComponent("experiment.yaml")
            try (try String(contentsOf: file, encoding: .utf8) + yaml).write(to: file, atomically: true, encoding: .utf8)
        }
    }

    @Test func resilienceSettingsAreReadWithDefaultsForWhatIsLeftOut() throws {
        let defaults = try ExperimentFiles.load(Repository.path("Deploy/sample/hope-and-fear"))
        #expect(defaults.retry == RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(2), maxBackoff: .seconds(60)))
        #expect(defaults.taskTimeout == .minutes(15) && defaults.tolerateFailedBatches == .count(0) && defaults.maxInFlight == 1_000)

        let folder = try withSettings(
            """

            retry:
              max_attempts: 5
              initial_backoff: 500ms
            task_timeout: 2h
            tolerate_failed_batches: 5%
            max_in_flight: 20
            """)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try ExperimentFiles.load(folder.path)
        #expect(spec.retry == RetryPolicy(maxAttempts: 5, initialBackoff: TaskDuration(milliseconds: 500), maxBackoff: .seconds(60)))
        #expect(spec.taskTimeout == TaskDuration(milliseconds: 7_200_000))
        #expect(spec.tolerateFailedBatches == .percent(5) && spec.tolerateFailedBatches.allowedFailures(of: 100) == 5)
        #expect(spec.maxInFlight == 20)
        // The same fields travel in the JSON contract, in the same spelling.
        let json = String(decoding: try MessageCoding.encode(spec), as: UTF8.self)
        #expect(json.contains(#""task_timeout":"2h""#) && json.contains(#""tolerate_failed_batches":"5%""#) && json.contains(#""initial_backoff":"500ms""#))
        #expect(try MessageCoding.decode(ExperimentSpec.self, from: MessageCoding.encode(spec)) == spec)
    }

    @Test(arguments: [
        ("task_timeout: 15 minutes", "experiment.yaml: task_timeout: '15 minutes' is not a duration"),
        ("task_timeout: 0s", "experiment.yaml: task_timeout: must be positive"),
        ("tolerate_failed_batches: many", "experiment.yaml: tolerate_failed_batches: 'many' is neither a count"),
        ("tolerate_failed_batches: 120%", "experiment.yaml: tolerate_failed_batches: '120%' is neither a count"),
        ("max_in_flight: 0", "experiment.yaml: max_in_flight: must be at least 1"),
        ("retry:\n  max_attempts: 0", "experiment.yaml: retry.max_attempts: must be between 1 and 100"),
        ("retry:\n  initial_backoff: 10s\n  max_backoff: 1s", "experiment.yaml: retry.max_backoff: (1s) must not be below"),
        ("retry:\n  initial_backoff: -2s", "experiment.yaml: retry.initial_backoff: '-2s' is not a duration"),
    ])
    func badResilienceSettingsAreRefusedNamingFileAndField(_ yaml: String, _ expected: String) throws {
        let message = error(try withSettings("\n" + yaml + "\n"))
        #expect(message.hasPrefix(expected), "\(message)")
    }
}
