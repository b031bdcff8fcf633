import Foundation
import Testing
import TributaryTestSupport

@testable import TributaryCore

/// The fast envelope reader and Foundation's decoder must never disagree: where the reader
/// answers, its value is the decoder's; where the decoder refuses, the reader declines.
@Suite struct ResultEnvelopeReaderTests {
    static func samples() throws -> [[UInt8]] {
        let started = Date(timeIntervalSince1970: 1_764_000_000)
        let analysis = BatchAnalysis(
            batchIndex: 3,
            documents: [
                DocumentAnalysis(
                    id: "d\u{e9}-1", wordCount: 12, metadata: ["party": "a \"quoted\" \\ value"],
                    scores: [
                        "hope": DimensionScore(
                            rawScore: 0.25, salience: 3.5, confidence: 0.5, raisesHits: 2, lowersHits: 0,
                            evidence: [Evidence(sentence: "We hope. ✓", start: 0, end: 8, phrase: "hope")])
                    ],
                    derived: ["ratio": nil, "net": -1.5e-7])
            ])
        let completed = TaskResult(
            task: TaskIdentity(taskID: "exp-1.analyse_batch.3", experimentID: "exp-1", taskType: .analyseBatch, batchIndex: 3), attempt: 2,
            status: .completed, result: analysis, workerID: "worker-7", startedAt: started, finishedAt: started + 1)
        let failed = TaskResult<JSONValue>(
            task: TaskIdentity(taskID: "exp-1.corpus_synthesis", experimentID: "exp-1", taskType: .corpusSynthesis, batchIndex: nil),
            status: .failed, error: TaskFailure(code: "boom", message: "it \"broke\"", permanent: true), workerID: "w",
            startedAt: started, finishedAt: started)
        return [try MessageCoding.encode(completed), try MessageCoding.encode(failed)]
    }

    @Test func canonicalResultsAreReadFastAndEqualTheDecoders() throws {
        for bytes in try Self.samples() {
            let fast = try #require(ResultEnvelopeReader.read(bytes))
            #expect(fast == (try MessageCoding.decodeResultInGeneral(from: bytes)))
        }
    }

    @Test func otherSpellingsFallBackToTheDecoder() throws {
        let bytes = try Self.samples()[0]
        let text = String(decoding: bytes, as: UTF8.self)
        for variant in [
            text.replacingOccurrences(of: "\"worker_id\"", with: "\"workerId\""),
            text.replacingOccurrences(of: "\"attempt\":2", with: "\"attempt\":2.0"),
            text.replacingOccurrences(of: "\"task_id\":\"exp-1", with: "\"task_id\":\"exp\\u002d1"),
            text.replacingOccurrences(of: "Z\"", with: "+00:00\""),
        ] {
            #expect(ResultEnvelopeReader.read(Array(variant.utf8)) == nil, "\(variant.prefix(80))")
        }
    }

    @Test(arguments: 0..<4)
    func mutatedMessagesNeverDisagree(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let alphabet = Array(#"{}[]",:0123456789-.eE \tnultrfase\u{}Z"#.utf8) + [0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80, 0x00]
        var agreed = 0
        for sample in try Self.samples() {
            for _ in 0..<1_500 {
                var bytes = sample
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[position] = alphabet.randomElement(using: &random)!
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
                    }
                }
                let general = try? MessageCoding.decodeResultInGeneral(from: bytes)
                guard ResultEnvelopeReader.read(bytes) != nil else { continue }
                // The reader answered: the message is taken (or refused by the same identity
                // checks) exactly as the decoder takes it.
                let fast = try? MessageCoding.decodeResult(from: bytes)
                #expect(general == fast, "\(String(decoding: bytes, as: UTF8.self))")
                agreed += 1
            }
        }
        // Most single-byte changes inside strings or numbers keep a message well-formed.
        #expect(agreed > 100)
    }

    @Test func timestampsMatchFoundation() throws {
        let formatter = ISO8601DateFormatter()
        var random = SplitMix(seed: 9)
        for _ in 0..<2_000 {
            let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 0..<4_102_444_800, using: &random)))
            #expect(ResultEnvelopeReader.timestamp(formatter.string(from: date)) == date)
        }
        #expect(ResultEnvelopeReader.timestamp("2025-02-29T00:00:00Z") == nil)
        #expect(ResultEnvelopeReader.timestamp("2024-02-29T00:00:00Z") != nil)
    }
}
