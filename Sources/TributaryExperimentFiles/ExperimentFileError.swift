/// A problem with an experiment folder: which file, which field, and what is wrong.
public struct ExperimentFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var field: String?
    public var message: String

    public init(file: String, field: String? = nil, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        [file, field, message].compactMap { $0 }.joined(separator: ": ")
    }
}
