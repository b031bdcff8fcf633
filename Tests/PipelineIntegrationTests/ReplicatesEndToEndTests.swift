import Foundation
import Testing
import TributaryClient
import TributaryCore
import TributaryTestSupport
import TributaryTesting

/// Replicates through the real executables: every (document, replicate) is a call the model
/// server counts, the tables hold every replicate, and the report's alpha is the reference
/// package's on those tables.
@Suite(.serialized, TestBroker.required) struct ReplicatesEndToEndTests {
    static func spec(replicates: Int, model: String = "m", documents: Int = 6) -> ExperimentSpec {
        var spec = ResultCacheEndToEndTests.spec(name: "replicated", documents: documents)
        spec.analyser = AnalyserSettings(kind: .llm, model: model, temperature: 0.7, seed: 7, maxOutputTokens: 300)
        spec.analyser?.replicates = replicates
        return spec
    }

    /// Submits through the CLI with `--wait --out`, so the tables are the files a researcher gets.
    static func submit(_ spec: ExperimentSpec, _ harness: PipelineHarness, out: String, within seconds: Int = 120) async throws -> ExperimentStatus {
        let path = "\(harness.directory)/\(UUID().uuidString).json"
        try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: path))
        let submit = try harness.runClient(["submit", path, "--wait", "--quiet", "--json", "--out", out, "--timeout", "\(seconds)"])
        #expect(try await submit.waitForExit(within: .seconds(seconds + 30)) == 0, "\(submit.log)")
        let line = try #require(submit.log.split(separator: "\n").last { $0.hasPrefix("{") }, "\(submit.log)")
        return try MessageCoding.decode(ExperimentStatus.self, from: Array(line.utf8))
    }

    static func rows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    static func report(_ status: ExperimentStatus) throws -> CorpusReport {
        try MessageCoding.decode(CorpusReport.self, from: MessageCoding.encode(try #require(status.report?["report"])))
    }

    @Test func eachReplicateIsACallAndMoreReplicatesPayOnlyForTheNewOnes() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--vary-scores"])
            defer { server.stop() }
            try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL])
            let out = "\(harness.directory)/three"
            let three = try await Self.submit(Self.spec(replicates: 3), harness, out: out)
            #expect(three.state == .completed && three.batchCount == 9, "\(three.error ?? "")")
            let calls = try server.stats().documents
            #expect(calls.count == 6 && calls.values.allSatisfy { $0 == 3 }, "\(calls): the pilot's calls are replicate 0's")

            let replicates = try Self.rows("\(out)/replicates.csv")
            #expect(replicates.count == 18)
            #expect(Dictionary(grouping: replicates, by: { $0["id"] ?? "" }).values.allSatisfy { Set($0.compactMap { $0["seed"] }) == ["7", "8", "9"] })
            let scores = try Self.rows("\(out)/scores.csv")
            #expect(scores.count == 6 && scores.allSatisfy { $0["replicates"] == "3" })
            let report = try Self.report(three)
            let agreement = try #require(report.replicateAgreement?["hope"])
            #expect(report.replicates == 3 && agreement.documents == 6 && agreement.alpha != nil && agreement.alphaInterval95?.count == 2)
            if TestPython.path != nil {
                let reference = try TestPython.alphas(replicatesCSV: "\(out)/replicates.csv", dimensions: ["hope", "fear"])
                for dimension in ["hope", "fear"] {
                    let ours = try #require(report.replicateAgreement?[dimension]?.alpha)
                    let theirs = try #require(reference[dimension] ?? nil)
                    #expect(abs(ours - theirs) < 1e-9, "\(dimension): ours \(ours), krippendorff \(theirs)")
                }
            }
            let rebuilt = try harness.runClient(["report", three.experimentID, "--rebuild", "--out", "\(harness.directory)/rebuilt"])
            #expect(try await rebuilt.waitForExit(within: .seconds(60)) == 0, "\(rebuilt.log)")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: "\(harness.directory)/rebuilt/replicates.csv"))
                    == Data(contentsOf: URL(fileURLWithPath: "\(out)/replicates.csv")))

            // The full record: the same tables, every quote, every response, and the lock the
            // submission wrote, rebuilt from what the orchestrator stored.
            let exported = "\(harness.directory)/exported"
            let export = try harness.runClient(["export", three.experimentID, "--out", exported])
            #expect(try await export.waitForExit(within: .seconds(60)) == 0, "\(export.log)")
            let exportedStatus = try MessageCoding.decoder().decode(
                ExperimentStatus.self, from: Data(contentsOf: URL(fileURLWithPath: "\(exported)/status.json")))
            #expect(exportedStatus.experimentID == three.experimentID && exportedStatus.report == nil && exportedStatus.cache?.documentsStored == 18)
            for file in ["scores.csv", "replicates.csv", "report.md", RunLock.fileName] {
                #expect(
                    try Data(contentsOf: URL(fileURLWithPath: "\(exported)/\(file)")) == Data(contentsOf: URL(fileURLWithPath: "\(out)/\(file)")),
                    "\(file) differs from the submission's")
            }
            let evidence = try Self.rows("\(exported)/evidence.csv")
            #expect(evidence.count == 18 * 2, "one quote per (document, replicate, dimension)")
            #expect(evidence.first.map { Set($0.keys) } == ["document", "dimension", "quote", "start", "end", "replicate"])
            let responses = try String(contentsOfFile: "\(exported)/responses.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(responses.count == 18)
            let parsed = try responses.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
            #expect(parsed.allSatisfy { (($0["provenance"] as? [String: Any])?["raw_response"] as? String)?.isEmpty == false })
            #expect(Set(parsed.compactMap { ($0["provenance"] as? [String: Any])?["seed"] as? Int }) == [7, 8, 9])

            let before = try server.stats()
            let five = try await Self.submit(Self.spec(replicates: 5), harness, out: "\(harness.directory)/five")
            #expect(five.state == .completed && five.batchCount == 15, "\(five.error ?? "")")
            #expect(try ResultCacheEndToEndTests.sent(server, since: before).values.allSatisfy { $0 == 2 })
            #expect(try ResultCacheEndToEndTests.sent(server, since: before).count == 6, "only replicates 3 and 4 are new")
            #expect(try Self.rows("\(harness.directory)/five/replicates.csv").count == 30)
        }
    }

    /// Two models, two replicates: every (document, model, replicate) is a call, the table
    /// names each row's model, and both alphas are the reference package's.
    @Test func severalModelsAreEachCalledAndCompared() async throws {
        try await withPipeline { harness in
            let server = try await ScriptedModelServer(directory: harness.directory, arguments: ["--vary-scores"])
            defer { server.stop() }
            try harness.startPipeline(analysers: 1, analyserArguments: ["--llm-base-url", server.baseURL])
            var spec = Self.spec(replicates: 2)
            spec.analyser?.model = nil
            spec.analyser?.models = ["m", "n"]
            let out = "\(harness.directory)/models"
            let status = try await Self.submit(spec, harness, out: out)
            #expect(status.state == .completed && status.batchCount == 12 && status.model == "m, n", "\(status.error ?? "")")
            let calls = try server.stats().documents
            #expect(calls.count == 6 && calls.values.allSatisfy { $0 == 4 }, "\(calls)")
            let rows = try Self.rows("\(out)/replicates.csv")
            #expect(rows.count == 24 && Set(rows.compactMap { $0["model"] }) == ["m", "n"])
            let report = try Self.report(status)
            #expect(report.models == ["m", "n"] && report.modelAgreement?["hope"]?.documents == 6)
            if TestPython.path != nil {
                for acrossModels in [false, true] {
                    let reference = try TestPython.alphas(replicatesCSV: "\(out)/replicates.csv", dimensions: ["hope", "fear"], acrossModels: acrossModels)
                    for dimension in ["hope", "fear"] {
                        let ours = try #require((acrossModels ? report.modelAgreement : report.replicateAgreement)?[dimension]?.alpha)
                        let theirs = try #require(reference[dimension] ?? nil)
                        #expect(abs(ours - theirs) < 1e-9, "\(dimension), across models \(acrossModels): ours \(ours), krippendorff \(theirs)")
                    }
                }
            }
        }
    }

    @Test func replicatesOfTheBuiltinAnalyserAreRefusedWithTheReason() async throws {
        try await withPipeline { harness in
            try harness.startOrchestrator()
            var spec = Corpus.spec(name: "deterministic", documents: 2, batchSize: 1)
            spec.analyser = AnalyserSettings(kind: .builtin)
            spec.analyser?.replicates = 3
            let path = "\(harness.directory)/deterministic.json"
            try Data(try MessageCoding.encode(spec)).write(to: URL(fileURLWithPath: path))
            let submit = try harness.runClient(["submit", path])
            #expect(try await submit.waitForExit(within: .seconds(30)) != 0)
            #expect(submit.log.contains("analyser.replicates") && submit.log.contains("deterministic"), "\(submit.log)")
        }
    }
}

/// `replicates: 5` on the real local model: sampled at temperature 0.4, so replicates differ,
/// and some answers may fail validation; a failed replicate is a missing value, which the
/// reference package must agree on too.
@Suite(.serialized, TestBroker.required, TestLanguageModel.required, TestPython.required) struct ReplicatesLanguageModelTests {
    @Test func alphaInTheReportEqualsThePackagesOnTheStoredReplicates() async throws {
        try await withPipeline { harness in
            try harness.startPipeline(analysers: 1, analyserConcurrency: 1, analyserArguments: TestLanguageModel.agentArguments)
            try await harness.waitUntilReady()
            var spec = ReplicatesEndToEndTests.spec(replicates: 5, model: TestLanguageModel.model, documents: 3)
            for index in spec.documents.indices { spec.documents[index].text = LanguageModelEndToEndTests.texts[index] }
            spec.analyser?.temperature = 0.4
            spec.analyser?.pilotDocuments = 1
            spec.batchSize = 1
            spec.taskTimeout = .minutes(5)
            spec.tolerateFailedBatches = .percent(80)
            let out = "\(harness.directory)/model"
            let status = try await ReplicatesEndToEndTests.submit(spec, harness, out: out, within: 900)
            #expect(status.state == .completed, "\(status.error ?? "")")
            let replicates = try ReplicatesEndToEndTests.rows("\(out)/replicates.csv")
            let failed = status.failedBatches
            #expect(replicates.count == 15 && replicates.filter { $0["status"] == "failed" }.count == failed, "5 rows per document, \(failed) failed")
            #expect(Dictionary(grouping: replicates, by: { $0["id"] ?? "" }).values.allSatisfy { $0.count == 5 })
            let report = try ReplicatesEndToEndTests.report(status)
            let reference = try TestPython.alphas(replicatesCSV: "\(out)/replicates.csv", dimensions: ["hope", "fear"])
            for dimension in ["hope", "fear"] {
                let ours = report.replicateAgreement?[dimension]?.alpha ?? nil
                let theirs = reference[dimension] ?? nil
                #expect((ours == nil) == (theirs == nil), "\(dimension): ours \(String(describing: ours)), krippendorff \(String(describing: theirs))")
                if let ours, let theirs { #expect(abs(ours - theirs) < 1e-9, "\(dimension): ours \(ours), krippendorff \(theirs)") }
            }
        }
    }
}
