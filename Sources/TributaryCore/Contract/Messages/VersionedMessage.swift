/// A top-level message of the contract, which carries its schema version.
public protocol VersionedMessage {
    var schemaVersion: Int { get }
}

extension ExperimentRequest: VersionedMessage {}
extension TaskMessage: VersionedMessage {}
extension TaskResult: VersionedMessage {}
extension ExperimentStatus: VersionedMessage {}
extension StatusQuery: VersionedMessage {}
extension StatusReply: VersionedMessage {}
extension ExperimentControlRequest: VersionedMessage {}
extension ListQuery: VersionedMessage {}
extension ListReply: VersionedMessage {}
