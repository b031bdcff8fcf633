import Testing
import TributaryCore

@testable import TributaryAnalysis

@Suite struct AnalyserTests {
    let framework = Framework(
        name: "affect", version: "1",
        dimensions: [
            Dimension(name: "hope", raises: ["hope", "bright future"], lowers: ["without hope"]),
            Dimension(name: "fear", raises: ["afraid", "fear"], lowers: ["no longer afraid"]),
        ],
        derivedMetrics: [DerivedMetric(name: "tension", formula: "abs(hope - fear)"), DerivedMetric(name: "ratio", formula: "hope / fear")])

    @Test func matchesWholeWordsCaseInsensitivelyAcrossScripts() throws {
        let analyser = try DocumentAnalyser(
            framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "d", raises: ["straße", "ÉLAN", "hope"])]))
        let result = analyser.analyse(Document(id: "x", text: "STRASSE nein, Straße ja. Élan! Hopeful is not hope; HOPE."))
        // "hopeful" is not a whole-word match; "STRASSE" and "Straße" both fold to "strasse".
        #expect(result.scores["d"]?.raisesHits == 5)
    }

    func hits(_ phrase: String, in text: String) throws -> Int {
        let analyser = try DocumentAnalyser(framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "d", raises: [phrase])]))
        return analyser.analyse(Document(id: "x", text: text)).scores["d"]?.raisesHits ?? -1
    }

    /// Lowercasing a capitalised Greek word that ends in sigma gives a final ς, so "ΟΔΥΣΣΕΥΣ"
    /// missed "Οδυσσεύς"; case folding maps Σ, σ and ς alike.
    @Test func greekSigmaMatchesInEveryPosition() throws {
        #expect(try hits("Οδυσσευς", in: "ΟΔΥΣΣΕΥΣ, Οδυσσευς και οδυσσευσ.") == 3)
        #expect(try hits("λόγος", in: "ΛΌΓΟΣ λόγοσ λόγος λογος") == 3)  // folding keeps accents
    }

    @Test func germanSharpSMatchesDoubleS() throws {
        #expect(try hits("straße", in: "Strasse, STRASSE, Straße, STRAẞE") == 4)
        #expect(try hits("STRASSE", in: "straße") == 1)
    }

    /// Default (not Turkic) folding: I and i match, İ folds to i + U+0307 and so matches only
    /// itself, and dotless ı stays distinct from i. Documented in Docs/analysis.md.
    @Test func turkishDottedAndDotlessIFollowDefaultFolding() throws {
        #expect(try hits("istanbul", in: "ISTANBUL Istanbul") == 2)
        #expect(try hits("İstanbul", in: "İSTANBUL i̇stanbul") == 2)
        #expect(try hits("istanbul", in: "İstanbul") == 0)
        #expect(try hits("kırmızı", in: "KIRMIZI kirmizi kırmızı") == 1)
    }

    @Test func ligaturesFoldToTheirLetters() throws {
        #expect(try hits("final", in: "ﬁnal FINAL ﬁnal") == 3)
        #expect(try hits("ﬀ", in: "ff FF") == 2)
    }

    @Test func scoresEvidenceAndOffsets() throws {
        let text = "We see a bright future. Nobody is afraid!\nYet some live without hope."
        let result = try DocumentAnalyser(framework: framework).analyse(Document(id: "d1", text: text))
        #expect(result.wordCount == 13)
        let hope = try #require(result.scores["hope"])
        #expect(hope.raisesHits == 1)  // "bright future"; "hope" inside "without hope" is taken by the lowering phrase
        #expect(hope.lowersHits == 1)
        #expect(hope.rawScore == 1.0 / 3.0)
        #expect(hope.confidence == 0.5)
        #expect(abs((hope.salience ?? -1) - 200.0 / 13.0) < 1e-12)
        #expect(hope.evidence.map(\.sentence) == ["We see a bright future.", "Yet some live without hope."])
        let scalars = Array(text.unicodeScalars)
        for evidence in hope.evidence {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[evidence.start..<evidence.end])
            #expect(String(view) == evidence.sentence)
        }
        #expect(result.scores["fear"]?.raisesHits == 1)
        #expect(result.derived["tension"] == .some(abs(1.0 / 3.0 - 0.5)))
    }

    @Test func lowersPhraseHidesTheRaisingWordInside() throws {
        let result = try DocumentAnalyser(framework: framework).analyse(Document(id: "d", text: "We are no longer afraid."))
        #expect(result.scores["fear"]?.raisesHits == 0)
        #expect(result.scores["fear"]?.lowersHits == 1)
        #expect(result.derived["ratio"] == .some(nil), "0/0 is undefined, not a number")
    }

    @Test func analysisIsDeterministic() async throws {
        let handler = AnalyseBatchHandler()
        let task = TaskMessage(
            experimentID: "e", batchIndex: 0, batchCount: 1,
            payload: .analyseBatch(
                BatchPayload(
                    framework: framework, documents: (0..<20).map { Document(id: "d\($0)", text: "hope and fear \($0), afraid of a bright future") })))
        let first = try MessageCoding.encode(try await handler.handle(task))
        let second = try MessageCoding.encode(try await handler.handle(task))
        #expect(first == second)
    }

    @Test func formulas() throws {
        let variables: Set<String> = ["a", "b"]
        #expect(try Formula.parse("abs(a - b) * 2 + -1", variables: variables).evaluate(["a": 1, "b": 3]) == 3)
        #expect(try Formula.parse("max(a, b, 0.5) / (a + b)", variables: variables).evaluate(["a": 1, "b": 3]) == 0.75)
        #expect(try Formula.parse("sqrt(a - b)", variables: variables).evaluate(["a": 1, "b": 3]) == nil)
        for bad in ["a +", "c * 2", "abs(a, b)", "(a", "a $ b", "foo(a)"] {
            #expect(throws: FormulaError.self, "\(bad)") { try Formula.parse(bad, variables: variables) }
        }
    }

    @Test func validatorNamesEveryProblem() {
        var spec = ExperimentSpec(
            name: "x",
            framework: Framework(
                name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])],
                derivedMetrics: [DerivedMetric(name: "m", formula: "hope - dread")],
                indices: [FrameworkIndex(name: "i", dimensions: ["hope", "joy"])]),
            documents: [Document(id: "a", text: "hope"), Document(id: "a", text: " ")], batchSize: 0, groupBy: "party")
        spec.framework.dimensions.append(Dimension(name: "2bad", raises: []))
        let errors = ExperimentValidator.validate(spec).errors.joined(separator: "\n")
        for expected in [
            "batch_size", "unknown dimension 'dread'", "framework.indices.i: unknown dimension 'joy'", "'a' is used twice",
            "'a' has no text", "no 'party' metadata", "'2bad' is not a valid name", "2bad.raises",
        ] {
            #expect(errors.contains(expected), "missing: \(expected)\n\(errors)")
        }
    }
}

@Suite struct SynthesisTests {
    /// A hand-checked fixture: four documents, two groups, known raw scores.
    @Test func reportOverKnownScores() async throws {
        let framework = Framework(
            name: "f", version: "1",
            dimensions: [Dimension(name: "hope", raises: ["hope"]), Dimension(name: "fear", raises: ["fear"])],
            derivedMetrics: [DerivedMetric(name: "tension", formula: "abs(hope - fear)")],
            indices: [FrameworkIndex(name: "affect", dimensions: ["hope", "fear"])])
        // hope raw scores: 1/2, 2/3, 0, 0 (k hits → k/(k+1)); fear: 0, 0, 1/2, 2/3.
        let texts = ["hope", "hope hope", "fear", "fear fear"]
        let documents = texts.enumerated().map { Document(id: "d\($0.offset)", text: $0.element, metadata: ["g": $0.offset < 2 ? "a" : "b"]) }
        let analyser = try DocumentAnalyser(framework: framework)
        let batches = [
            BatchAnalysis(batchIndex: 1, documents: documents[2...].map(analyser.analyse)),
            BatchAnalysis(batchIndex: 0, documents: documents[..<2].map(analyser.analyse)),
        ]
        let payload = SynthesisPayload(
            experimentName: "e", researchQuestion: "q", groupBy: "g", framework: framework, batchResults: [], coverage: Coverage(documentsPlanned: 4))
        let report = CorpusSynthesiser.synthesise(payload, batches: batches)
        #expect(report.documentCount == 4 && report.batchCount == 2 && report.totalWords == 6)
        #expect(report.coverage == CorpusReport.ReportCoverage(documentsPlanned: 4, documentsAnalysed: 4, failedBatches: []))
        let hope = try #require(report.dimensions["hope"])
        #expect(abs(hope.mean! - (0.5 + 2.0 / 3.0) / 4) < 1e-12)
        #expect(hope.median == 0.25)
        // By hand: mean 7/24; deviations (5, 9, −7, −7)/24 and (−7, −7, 5, 9)/24; r = −196/204 = −49/51.
        #expect(abs((report.correlations["hope"]?["fear"] ?? nil)! - (-49.0 / 51.0)) < 1e-12)
        let comparison = try #require(report.groupComparisons.first { $0.variable == "hope" })
        #expect(comparison.groups.map(\.group) == ["a", "b"])
        #expect(comparison.test?.test == "welch_t")
        #expect(report.topDocuments["hope"]?.map(\.id) == ["d1", "d0", "d2"])
        let csv = ReportRenderer.csv(
            batches.sorted { $0.batchIndex < $1.batchIndex }.flatMap(\.documents), dimensionOrder: ["hope", "fear"], metricOrder: ["tension"])
        #expect(
            csv.split(separator: "\n").first
                == "id,word_count,g,hope_raw_score,hope_salience,hope_confidence,fear_raw_score,fear_salience,fear_confidence,tension")
        #expect(csv.split(separator: "\n").count == 5)
        let markdown = ReportRenderer.markdown(report, dimensionOrder: ["hope", "fear"], metricOrder: ["tension"])
        #expect(markdown.contains("## Groups by `g`"))
        #expect(ReportRenderer.escape("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }
}

@Suite struct PreTestTests {
    func task(_ texts: [String]) -> TaskMessage {
        TaskMessage(
            experimentID: "e",
            payload: .preTest(
                ExperimentSpec(
                    name: "x", framework: Framework(name: "f", version: "1", dimensions: [Dimension(name: "hope", raises: ["hope"])]),
                    documents: texts.enumerated().map { Document(id: "d\($0.offset)", text: $0.element) }, batchSize: 2)))
    }

    @Test func plansBatchesAndWarnsWhenTheDryRunMatchesNothing() async throws {
        let output = try await PreTestHandler().handle(task(["nichts", "rien", "nada", "hope"]))
        let plan = try MessageCoding.decode(PreTestResult.self, from: MessageCoding.encode(output))
        #expect(plan.batches == [["d0", "d1"], ["d2", "d3"]])
        #expect(plan.warnings.first?.hasPrefix("dry run: no marker phrase matched in the first 3") == true)
        let quiet = try MessageCoding.decode(PreTestResult.self, from: MessageCoding.encode(try await PreTestHandler().handle(task(["hope", "x"]))))
        #expect(quiet.warnings.isEmpty)
    }
}

@Suite struct CompactResultTests {
    /// Batch results keep evidence only for their own top documents per dimension, and the
    /// report, the part a researcher reads, is byte-for-byte what full evidence gives. Many
    /// ties (equal scores) exercise the order the report breaks them in.
    @Test(arguments: [1, 3, 7])
    func trimmedEvidenceGivesTheSameReport(batchSize: Int) throws {
        let framework = Framework(
            name: "affect", version: "1",
            dimensions: [Dimension(name: "hope", raises: ["hope"]), Dimension(name: "fear", raises: ["fear"], lowers: ["no fear"])])
        var random = SplitMixLite(seed: UInt64(batchSize))
        let phrases = ["We hope.", "We fear.", "There is no fear.", "Nothing.", "Hope and fear."]
        let documents = (0..<40).map { index in
            Document(
                id: "doc-\(index)", text: (0..<random.next(upTo: 6)).map { _ in phrases[random.next(upTo: phrases.count)] }.joined(separator: " "),
                metadata: ["g": index % 3 == 0 ? "x" : "y"])
        }
        let analyser = try DocumentAnalyser(framework: framework)
        let slices = stride(from: 0, to: documents.count, by: batchSize).map { Array(documents[$0..<min($0 + batchSize, documents.count)]) }
        let full = slices.enumerated().map { BatchAnalysis(batchIndex: $0.offset, documents: $0.element.map(analyser.analyse)) }
        let trimmed = full.map { BatchAnalysis(batchIndex: $0.batchIndex, documents: AnalyseBatchHandler.keepingEvidenceCandidates($0.documents)) }
        #expect(trimmed.flatMap(\.documents).flatMap(\.scores.values).filter { !$0.evidence.isEmpty }.count <= slices.count * 2 * 3)
        let payload = SynthesisPayload(
            experimentName: "e", researchQuestion: "q", groupBy: "g", framework: framework, batchResults: [],
            coverage: Coverage(documentsPlanned: documents.count))
        #expect(
            try MessageCoding.encode(CorpusSynthesiser.synthesise(payload, batches: trimmed))
                == MessageCoding.encode(CorpusSynthesiser.synthesise(payload, batches: full)))
    }
}

/// A tiny seeded generator (this target does not link the shared test support).
struct SplitMixLite {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(upTo bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
