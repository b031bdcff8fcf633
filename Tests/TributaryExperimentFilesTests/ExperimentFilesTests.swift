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
}
