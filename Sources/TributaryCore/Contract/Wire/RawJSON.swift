/// A JSON value kept as the bytes it arrived in: carried, stored and forwarded without being
/// decoded into a tree and encoded again. Decoding it from a ``MessageCoding`` message skips
/// the value; ``MessageCoding/decodeResult(from:)`` fills in the bytes.
public struct RawJSON: Sendable, Hashable, Decodable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Leaves the value to the caller: the decoder's own representation can't give bytes back.
    public init(from decoder: any Decoder) throws { bytes = [] }
}
