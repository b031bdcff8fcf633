/// How one document's scores were obtained from a language model: enough to see what was
/// asked, what answered and what it cost, and to compare a re-run with this one.
public struct ModelProvenance: Sendable, Hashable, Codable {
    /// The model as the endpoint named it in its answer (may differ from the one asked for:
    /// an alias resolved, a dated snapshot).
    public var model: String
    /// The endpoint's `system_fingerprint`; null when it sends none (llama.cpp's server).
    public var systemFingerprint: String?
    public var seed: Int?
    public var temperature: Double
    public var inputTokens: Int
    public var outputTokens: Int
    /// Calls for this document: 1, or 2 when the first answer needed a repair.
    public var calls: Int
    public var latencyMilliseconds: Int
    /// The final answer's response body as the endpoint sent it, when small enough to carry…
    public var rawResponse: String?
    /// …otherwise its address in the content store (`sha256:<hex>`).
    public var rawResponseRef: String?
    /// Evidence quotes the model gave that the document does not contain, dropped. Kept per
    /// document so that a report rebuilt from cached analyses counts them as the first did.
    public var unverifiedEvidence: Int?

    public init(
        model: String, systemFingerprint: String?, seed: Int?, temperature: Double, inputTokens: Int, outputTokens: Int, calls: Int,
        latencyMilliseconds: Int, rawResponse: String?, rawResponseRef: String? = nil
    ) {
        self.model = model
        self.systemFingerprint = systemFingerprint
        self.seed = seed
        self.temperature = temperature
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.calls = calls
        self.latencyMilliseconds = latencyMilliseconds
        self.rawResponse = rawResponse
        self.rawResponseRef = rawResponseRef
    }
}
