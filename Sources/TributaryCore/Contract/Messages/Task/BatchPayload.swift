/// What an `analyse_batch` task carries: its own documents only.
public struct BatchPayload: Sendable, Hashable, Codable {
    public var framework: Framework
    public var documents: [Document]
    /// The experiment's analyser settings, when it chose one; absent for the agent's default.
    public var analyser: AnalyserSettings?
    /// Carried only with ``analyser``: a language model's default prompt names it.
    public var researchQuestion: String?
    /// Set when the results are cached: every document keeps all its evidence, not only a
    /// batch's top documents (a cached analysis may rank first in a later corpus). Absent
    /// from the wire unless set.
    public var keepEvidence: Bool?

    public init(
        framework: Framework, documents: [Document], analyser: AnalyserSettings? = nil, researchQuestion: String? = nil, keepEvidence: Bool? = nil
    ) {
        self.framework = framework
        self.documents = documents
        self.analyser = analyser
        self.researchQuestion = researchQuestion
        self.keepEvidence = keepEvidence
    }
}
