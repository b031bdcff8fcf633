import Testing
import TributaryCore

@testable import TributaryAnalysis

/// Krippendorff's alpha against the `krippendorff` package (0.9.0,
/// `krippendorff.alpha(reliability_data=…, level_of_measurement="interval")`, rows the
/// replicates, columns the documents, NaN where a replicate is missing). The expected values
/// are that package's output, copied.
@Suite struct AgreementTests {
    @Test func alphaEqualsThePythonPackageWithMissingValues() throws {
        // [[.1,.5,nan,.9,.3,.75],[.2,.4,.7,.8,nan,nan],[.1,nan,.6,1,.35,nan]]: the last
        // document has one score and is not pairable.
        let units: [[Double]] = [[0.1, 0.2, 0.1], [0.5, 0.4], [0.7, 0.6], [0.9, 0.8, 1.0], [0.3, 0.35], [0.75]]
        let alpha = try #require(Agreement.krippendorffInterval(units))
        #expect(abs(alpha - 0.9445005045408679) < 1e-12)
        #expect(abs(try #require(Agreement.krippendorffInterval(Array(units.dropLast()))) - alpha) < 1e-15)
    }

    @Test func perfectAndOpposedReplicates() throws {
        let opposed: [[Double]] = [[0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]]
        #expect(abs(try #require(Agreement.krippendorffInterval(opposed)) - -0.8) < 1e-12)
        let same: [[Double]] = [[0.2, 0.2, 0.2], [0.4, 0.4, 0.4], [0.6, 0.6, 0.6], [0.8, 0.8, 0.8]]
        #expect(try #require(Agreement.krippendorffInterval(same)) == 1)
        #expect(Agreement.krippendorffInterval([[0.5, 0.5], [0.5, 0.5]]) == nil, "no variation: alpha is undefined")
        #expect(Agreement.krippendorffInterval([[0.5], [0.7]]) == nil, "nothing pairable")
    }

    @Test func theBootstrapIsDeterministicAndBracketsAlpha() throws {
        let units: [[Double]] = (0..<40).map { index in
            let base = Double(index % 10) / 10
            return [base, base + 0.05 * Double(index % 3), base - 0.04 * Double(index % 2)]
        }
        let alpha = try #require(Agreement.krippendorffInterval(units))
        let interval = try #require(Agreement.bootstrapInterval(units, resamples: 500, seed: 42))
        #expect(interval == Agreement.bootstrapInterval(units, resamples: 500, seed: 42))
        #expect(interval != Agreement.bootstrapInterval(units, resamples: 500, seed: 43))
        #expect(interval[0] < alpha && alpha < interval[1], "\(interval) around \(alpha)")
    }

    @Test func theSpreadShareCountsDocumentsWhoseReplicatesSpanMoreThanTheThreshold() {
        let units: [[Double]] = [[0.1, 0.35], [0.5, 0.6], [0.2, 0.2, 0.45], [0.9]]
        #expect(Agreement.spreadShare(units, above: 0.2) == 2.0 / 3.0)
        #expect(Agreement.spreadShare([[0.3]], above: 0.2) == nil)
    }
}

/// The synthesis of replicated batches: each document once, as its replicates' mean, in
/// corpus order whichever replicate failed, and alpha over the replicates.
@Suite struct ReplicatedSynthesisTests {
    static func document(_ id: String, _ score: Double, seed: Int) -> DocumentAnalysis {
        var analysis = DocumentAnalysis(
            id: id, wordCount: 10, metadata: ["group": id < "d2" ? "a" : "b"],
            scores: ["hope": DimensionScore(rawScore: score, salience: nil, confidence: 0.5, raisesHits: nil, lowersHits: nil, evidence: [])],
            derived: ["double": score * 2])
        analysis.provenance = ModelProvenance(
            model: "m", systemFingerprint: nil, seed: seed, temperature: 0.7, inputTokens: 10, outputTokens: 5, calls: 1, latencyMilliseconds: 3,
            rawResponse: nil)
        return analysis
    }

    /// Replicates 0 and 2 analysed every document; replicate 1's second batch (d2, d3) failed.
    /// Python: alpha([[.2,.4,.6,.9],[.3,.35,nan,nan],[.25,.5,.7,.8]]) = 0.9228571428571428.
    static let batches: [BatchAnalysis] = [
        BatchAnalysis(batchIndex: 5, documents: [document("d2", 0.7, seed: 9), document("d3", 0.8, seed: 9)]),
        BatchAnalysis(batchIndex: 2, documents: [document("d0", 0.3, seed: 8), document("d1", 0.35, seed: 8)]),
        BatchAnalysis(batchIndex: 0, documents: [document("d0", 0.2, seed: 7), document("d1", 0.4, seed: 7)]),
        BatchAnalysis(batchIndex: 1, documents: [document("d2", 0.6, seed: 7), document("d3", 0.9, seed: 7)]),
        BatchAnalysis(batchIndex: 4, documents: [document("d0", 0.25, seed: 9), document("d1", 0.5, seed: 9)]),
    ]

    static var payload: SynthesisPayload {
        var payload = SynthesisPayload(
            experimentName: "replicated", researchQuestion: "q", groupBy: "group",
            framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", description: "hope", raises: ["hope"], lowers: [])]),
            batchResults: batches, coverage: Coverage(documentsPlanned: 4))
        payload.replicates = SynthesisPayload.Replicates(count: 3, batchesPerReplicate: 2)
        return payload
    }

    @Test func documentsAreTheirReplicatesMeansInCorpusOrder() throws {
        let replicated = CorpusSynthesiser.replicatedDocuments(Self.batches, plan: try #require(Self.payload.replicates))
        #expect(replicated.map(\.mean.id) == ["d0", "d1", "d2", "d3"])
        #expect(replicated.map { $0.replicates.map(\.replicate) } == [[0, 1, 2], [0, 1, 2], [0, 2], [0, 2]])
        let means = replicated.map { $0.mean.scores["hope"]?.rawScore ?? -1 }
        for (mean, expected) in zip(means, [0.25, 1.25 / 3, 0.65, 0.85]) { #expect(abs(mean - expected) < 1e-12) }
        #expect(abs((replicated[3].mean.derived["double"] ?? nil)! - 1.7) < 1e-12)
    }

    @Test func theReportCarriesAlphaEqualToThePackageAndTheTablesEveryReplicate() async throws {
        let report = CorpusSynthesiser.synthesise(Self.payload, batches: Self.batches)
        let agreement = try #require(report.replicateAgreement?["hope"])
        #expect(abs(try #require(agreement.alpha) - 0.9228571428571428) < 1e-9)
        #expect(agreement.documents == 4 && report.replicates == 3)
        #expect(report.documentCount == 4 && report.coverage.documentsAnalysed == 4)
        #expect(report.provenance?.calls == 10, "every replicate's calls are counted")
        #expect(abs((report.dimensions["hope"]?.mean ?? 0) - (0.25 + 1.25 / 3 + 0.65 + 0.85) / 4) < 1e-12)

        var task = TaskMessage(experimentID: "e", attempt: 1, payload: .corpusSynthesis(Self.payload))
        task.run = 1
        let output = try await CorpusSynthesisHandler().handle(task)
        #expect(output.reportMarkdown.contains("## Reliability across replicates (Krippendorff's alpha, interval)"))
        #expect(output.reportMarkdown.contains("| hope | 4 | 0.923 |"), "\(output.reportMarkdown)")
        let scores = output.scoresCsv.split(separator: "\n")
        #expect(scores.count == 5 && scores[0].hasPrefix("id,word_count,replicates,group,hope_raw_score"))
        #expect(scores[3].hasPrefix("d2,10,2,b,0.649999"), "the mean of 0.6 and 0.7, then salience (none), confidence and the SD")
        let replicates = try #require(output.replicatesCsv).split(separator: "\n")
        #expect(replicates.count == 1 + 10)
        #expect(replicates[0] == "id,replicate,status,model,seed,hope_raw_score,hope_confidence")
        #expect(replicates[2] == "d0,1,ok,m,8,0.3,0.5")

        // With replicate 1's second batch failed for good, d2 and d3 still have three rows each.
        var failed = Self.payload
        failed.coverage = Coverage(documentsPlanned: 4, failedBatches: [FailedBatch(batchIndex: 3, documentIds: ["d2", "d3"], attempts: 3, error: "x")])
        let withFailure = try await CorpusSynthesisHandler().handle(TaskMessage(experimentID: "e", attempt: 1, payload: .corpusSynthesis(failed)))
        let rows = try #require(withFailure.replicatesCsv).split(separator: "\n")
        #expect(rows.count == 1 + 12)
        #expect(rows.filter { $0.hasPrefix("d2,") } == ["d2,0,ok,m,7,0.6,0.5", "d2,1,failed,,,,", "d2,2,ok,m,9,0.7,0.5"])
    }

    @Test func oneReplicateLeavesTheReportAsItWas() throws {
        var payload = Self.payload
        payload.replicates = nil
        let batches = Self.batches.filter { $0.batchIndex < 2 }
        payload.batchResults = batches
        let report = CorpusSynthesiser.synthesise(payload, batches: batches)
        #expect(report.replicates == nil && report.replicateAgreement == nil)
        let encoded = String(decoding: try MessageCoding.encode(report), as: UTF8.self)
        #expect(!encoded.contains("\"replicates\"") && !encoded.contains("replicate_agreement"))
    }
}

/// Two models, two replicates each: replicates agree or not within a model, and the models
/// are compared on their replicate means.
@Suite struct ModelAgreementTests {
    static func batch(_ index: Int, _ scores: [(String, Double)], model: String) -> BatchAnalysis {
        BatchAnalysis(
            batchIndex: index,
            documents: scores.map { id, score in
                var analysis = ReplicatedSynthesisTests.document(id, score, seed: 7 + (index / 2) % 2)
                analysis.provenance?.model = model
                return analysis
            })
    }

    /// Batch index (m · 2 + r) · 2 + i. Model a's replicates: .1 .3 .5 .8 and .3 .5 .7 1;
    /// model b's: .3 .5 .5 .7 twice. Python: alpha over the four (document, model) units of
    /// each model, replicates as coders, = 0.8070739549839229; over the documents with the
    /// models' means (.2 .4 .6 .9 and .3 .5 .5 .7) as coders, = 0.8243727598566308.
    static let batches: [BatchAnalysis] = [
        batch(0, [("d0", 0.1), ("d1", 0.3)], model: "a"), batch(1, [("d2", 0.5), ("d3", 0.8)], model: "a"),
        batch(2, [("d0", 0.3), ("d1", 0.5)], model: "a"), batch(3, [("d2", 0.7), ("d3", 1.0)], model: "a"),
        batch(4, [("d0", 0.3), ("d1", 0.5)], model: "b"), batch(5, [("d2", 0.5), ("d3", 0.7)], model: "b"),
        batch(6, [("d0", 0.3), ("d1", 0.5)], model: "b"), batch(7, [("d2", 0.5), ("d3", 0.7)], model: "b"),
    ]

    @Test func modelsAreComparedOnTheirReplicateMeans() async throws {
        var payload = ReplicatedSynthesisTests.payload
        payload.batchResults = Self.batches
        payload.replicates = SynthesisPayload.Replicates(count: 2, batchesPerReplicate: 2, models: ["a", "b"])
        let report = CorpusSynthesiser.synthesise(payload, batches: Self.batches)
        #expect(report.models == ["a", "b"] && report.replicates == 2 && report.documentCount == 4)
        #expect(abs(try #require(report.replicateAgreement?["hope"]?.alpha) - 0.8070739549839229) < 1e-9)
        #expect(report.replicateAgreement?["hope"]?.documents == 8, "a unit per (document, model)")
        #expect(abs(try #require(report.modelAgreement?["hope"]?.alpha) - 0.8243727598566308) < 1e-9)
        #expect(abs((report.dimensions["hope"]?.mean ?? 0) - (0.25 + 0.45 + 0.55 + 0.8) / 4) < 1e-12)

        let output = try await CorpusSynthesisHandler().handle(TaskMessage(experimentID: "e", attempt: 1, payload: .corpusSynthesis(payload)))
        #expect(output.reportMarkdown.contains("## Agreement across models (Krippendorff's alpha, interval)"))
        let rows = try #require(output.replicatesCsv).split(separator: "\n")
        #expect(rows.count == 1 + 16)
        #expect(rows.filter { $0.hasPrefix("d3,") } == ["d3,0,ok,a,7,0.8,0.5", "d3,1,ok,a,8,1.0,0.5", "d3,0,ok,b,7,0.7,0.5", "d3,1,ok,b,8,0.7,0.5"])
    }

    @Test func oneReplicateOfSeveralModelsReportsOnlyTheModels() throws {
        var payload = ReplicatedSynthesisTests.payload
        let batches = [Self.batches[0], Self.batches[1], Self.batches[4], Self.batches[5]].enumerated().map { offset, batch in
            BatchAnalysis(batchIndex: offset, documents: batch.documents)
        }
        payload.replicates = SynthesisPayload.Replicates(count: 1, batchesPerReplicate: 2, models: ["a", "b"])
        let report = CorpusSynthesiser.synthesise(payload, batches: batches)
        #expect(report.replicates == nil && report.replicateAgreement == nil)
        #expect(report.modelAgreement?["hope"]?.documents == 4)
    }
}
