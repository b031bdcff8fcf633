/// A message with rules beyond its shape; ``MessageCoding/decode(_:from:)`` checks them, so
/// nothing that breaks them gets past the boundary.
public protocol ValidatedMessage {
    func validate() throws(ContractError)
}

extension ExperimentRequest: ValidatedMessage {
    public func validate() throws(ContractError) { try Identifier.validateExperimentID(experimentID) }
}

extension TaskMessage: ValidatedMessage {
    public func validate() throws(ContractError) { try Identifier.validateTask(identity) }
}

extension TaskResult: ValidatedMessage {
    public func validate() throws(ContractError) { try Identifier.validateTask(identity) }
}

extension StatusQuery: ValidatedMessage {
    public func validate() throws(ContractError) { try Identifier.validateExperimentID(experimentID) }
}

extension ExperimentControlRequest: ValidatedMessage {
    public func validate() throws(ContractError) { try Identifier.validateExperimentID(experimentID) }
}
