/// The AMQP `type` property of every message of the contract.
public enum MessageType: String, Sendable, Hashable, CaseIterable {
    case experimentRequest = "experiment_request"
    case experimentCancel = "experiment_cancel"
    case experimentRetry = "experiment_retry"
    case experimentPause = "experiment_pause"
    case experimentResume = "experiment_resume"
    case preTest = "pre_test"
    case analyseBatch = "analyse_batch"
    case corpusSynthesis = "corpus_synthesis"
    case taskResult = "task_result"
    case experimentStatus = "experiment_status"
    case statusQuery = "status_query"
    case statusReply = "status_reply"
    case listQuery = "list_query"
    case listReply = "list_reply"
}
