/// A message that does not satisfy the contract; it goes to the dead-letter queue with this reason.
public struct ContractError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case malformed
        case unsupportedSchemaVersion = "unsupported_schema_version"
        case invalidExperiment = "invalid_experiment"
        /// An id that can't safely become an AMQP message id or routing key (see ``Identifier``).
        case invalidIdentifier = "invalid_identifier"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
