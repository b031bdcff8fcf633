import TributaryCore

/// The analyse agent's handler: runs each task with the analyser its experiment chose.
///
/// An experiment without an `analyser` section gets the agent's default: its
/// `--analyser-command` if it has one, else the built-in analyser. The lanes
/// (``AnalysisLane``) only bring an agent the kinds it is configured for; a task of another
/// kind reaching it anyway (a hand-published one) fails for good with the reason.
public struct AnalyseBatchRouter: TaskHandler {
    public let taskType = TaskType.analyseBatch
    public let builtin: AnalyseBatchHandler
    public let external: ResolvingHandler<ExternalCommandHandler>?
    public let languageModel: LanguageModelBatchHandler?

    public init(builtin: AnalyseBatchHandler, external: ResolvingHandler<ExternalCommandHandler>? = nil, languageModel: LanguageModelBatchHandler? = nil) {
        self.builtin = builtin
        self.external = external
        self.languageModel = languageModel
    }

    /// The kinds this agent serves, each a lane it consumes besides the default one.
    public var kinds: [AnalyserSettings.Kind] {
        [.builtin] + (external == nil ? [] : [.external]) + (languageModel == nil ? [] : [.llm])
    }

    /// The output of whichever analyser ran, encoded as that analyser's own.
    public enum Output: Encodable, Sendable {
        case analysis(BatchAnalysis)
        case program(JSONValue)

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .analysis(let analysis): try analysis.encode(to: encoder)
            case .program(let value): try value.encode(to: encoder)
            }
        }
    }

    public func handle(_ task: TaskMessage) async throws -> Output {
        guard case .analyseBatch(let batch) = task.payload else {
            throw TaskFailure(code: "wrong_payload", message: "expected an analyse_batch payload", permanent: true)
        }
        switch batch.analyser?.kind {
        case nil:
            if let external { return .program(try await external.handle(task)) }
            return .analysis(try await builtin.handle(task))
        case .builtin:
            return .analysis(try await builtin.handle(task))
        case .external:
            guard let external else { throw Self.notServed(.external, "--analyser-command") }
            return .program(try await external.handle(task))
        case .llm:
            guard let languageModel, let settings = batch.analyser else { throw Self.notServed(.llm, "--llm-base-url") }
            return .analysis(
                try await languageModel.analyse(batch, batchIndex: task.batchIndex ?? 0, settings: settings, researchQuestion: batch.researchQuestion ?? ""))
        }
    }

    private static func notServed(_ kind: AnalyserSettings.Kind, _ option: String) -> TaskFailure {
        TaskFailure(
            code: "analyser_unavailable", message: "this agent does not serve analyser kind '\(kind.rawValue)' (it has no \(option))", permanent: true)
    }
}
