import Testing
import TributaryCore

@testable import TributaryAnalysis

/// report.md's provenance lines, which report.html lists too: the same words in both.
@Suite struct ProvenanceTextTests {
    @Test func theMarkdownSectionListsTheSummaryLines() throws {
        let provenance = try MessageCoding.decode(
            ReportProvenance.self,
            from: Array(
                #"""
                {"models": ["gemma"], "system_fingerprints": [], "seed": 7, "temperature": 0, "documents_scored": 2, "calls": 3,
                 "input_tokens": 200, "output_tokens": 90, "repairs": 1, "unverified_evidence": 0, "documents": [], "documents_not_listed": 0}
                """#.utf8))
        #expect(
            ReportRenderer.provenanceSection(provenance).prefix(7) == [
                "## Model and provenance", "", "- model: gemma", "- system fingerprint: none sent", "- temperature: 0.000; seed: 7",
                "- 2 documents, 3 calls (1 repairs), 200 input and 90 output tokens", "- evidence quotes not found in their document, dropped: 0",
            ])
    }
}
