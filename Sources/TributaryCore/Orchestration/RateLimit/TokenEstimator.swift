/// Tokens a batch is expected to use, estimated before it is dispatched, when only the texts'
/// sizes are known.
///
/// Input is over-estimated on purpose (a byte in three rather than the usual four of English
/// BPE): the provider meters what it counts, and an estimate below it is a 429 later. Output
/// is estimated from what recent calls to the model really produced, the largest of them,
/// and from `max_output_tokens` until there are any. Corrections from the results' `usage`
/// give the over-estimate back.
public struct TokenEstimator: Sendable, Hashable {
    /// Bytes of the prompt around each document (instructions and the framework), measured
    /// by the caller from the prompt it builds.
    public var promptOverheadBytes: Int
    private var recentOutputs: [Int] = []
    private static let remembered = 32

    public init(promptOverheadBytes: Int) {
        self.promptOverheadBytes = promptOverheadBytes
    }

    public static func inputTokens(bytes: Int) -> Int { (bytes + 2) / 3 + 8 }

    /// ``inputTokens(bytes:)`` summed over `documents` calls of `bytes` of text in all, each
    /// with the prompt around it; within a token a call of the per-document sum.
    public static func inputTokens(documents: Int, bytes: Int, promptOverheadBytes: Int) -> Int {
        (bytes + documents * (promptOverheadBytes + 2)) / 3 + documents * 8
    }

    /// The prompt around each document: the framework (as the default prompt lists it, or the
    /// template) and the instructions, over-counted by taking the framework's JSON.
    public static func promptOverheadBytes(framework: Framework, template: String?) throws -> Int {
        try MessageCoding.encode(framework).count + (template?.utf8.count ?? 0) + 600
    }

    /// The estimate for one batch: one call per document.
    public func estimate(documentBytes: [Int], maxOutputTokens: Int) -> Int {
        let output = recentOutputs.max().map { min($0, maxOutputTokens) } ?? maxOutputTokens
        return documentBytes.reduce(0) { $0 + Self.inputTokens(bytes: $1 + promptOverheadBytes) + output }
    }

    /// A result reported how many output tokens a call took (its batch's mean per call).
    public mutating func observe(outputTokensPerCall: Int) {
        Self.remember(outputTokensPerCall, in: &recentOutputs)
    }

    /// Adds a call's output to a window of the most recent ones.
    static func remember(_ outputTokensPerCall: Int, in outputs: inout [Int]) {
        outputs.append(max(0, outputTokensPerCall))
        if outputs.count > remembered { outputs.removeFirst(outputs.count - remembered) }
    }
}
