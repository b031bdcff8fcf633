/// Why the content store could not store or give back a blob.
public struct ContentStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Not `sha256:` and 64 hex digits.
        public static let invalidAddress = Code("invalid_address")
        /// No blob of that address in the store (not written, or the store is another volume).
        public static let notFound = Code("not_found")
        /// The blob's bytes no longer hash to its address.
        public static let corrupt = Code("corrupt")
        /// The file system refused (permissions, space, missing directory).
        public static let io = Code("io")

        public var description: String { name }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "content store \(code): \(message)" }
}
