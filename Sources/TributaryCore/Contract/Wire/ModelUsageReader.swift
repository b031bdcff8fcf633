import Foundation

/// Reads a batch result's `usage` without decoding its documents into values the orchestrator
/// does not need.
enum ModelUsageReader {
    private struct Envelope: Decodable {
        var usage: ModelUsage?
    }

    /// The usage of an `analyse_batch` result's bytes; nil when it has none (the phrase
    /// matcher) or cannot be read (a custom analyser's shape).
    static func usage(in bytes: [UInt8]) -> ModelUsage? {
        guard !bytes.isEmpty else { return nil }
        return (try? MessageCoding.decode(Envelope.self, from: bytes))?.usage
    }
}
