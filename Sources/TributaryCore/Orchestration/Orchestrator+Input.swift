extension Orchestrator.Input {
    /// The experiment the input concerns: a shared store locks it before the input is applied.
    package var experimentID: String {
        switch self {
        case .request(let request, _): request.experimentID
        case .result(let result): result.experimentID
        case .cancel(let control), .retry(let control), .pause(let control), .resume(let control): control.experimentID
        case .deadLetteredTask(let task, _, _, _): task.experimentID
        }
    }
}
