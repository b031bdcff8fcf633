/// What the orchestrator keeps of an experiment's analyser choice and its spending: the lane
/// its analyse tasks go to, the model it is metered and priced under, and its ledger.
///
/// `nil` on an experiment without an `analyser` section: its tasks go to the default lane,
/// as every experiment's did before analysers could be chosen.
package struct AnalysisRecord: Sendable, Hashable, Codable {
    package var kind: AnalyserSettings.Kind
    /// The model table's key, for `llm`.
    package var model: String?
    package var budget: Budget?
    package var ledger: ModelLedger

    package init(kind: AnalyserSettings.Kind, model: String? = nil, budget: Budget? = nil, ledger: ModelLedger = ModelLedger()) {
        self.kind = kind
        self.model = model
        self.budget = budget
        self.ledger = ledger
    }

    package init?(spec: ExperimentSpec) {
        guard let analyser = spec.analyser else { return nil }
        self.init(kind: analyser.kind, model: analyser.kind == .llm ? analyser.model : nil, budget: spec.budget)
    }
}
