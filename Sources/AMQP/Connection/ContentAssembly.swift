/// A message arriving as method, header and body frames, collected until complete.
///
/// A class so body fragments append in place instead of copying the body on each frame.
final class ContentAssembly {
    enum Kind {
        case delivery(tag: UInt64, redelivered: Bool, exchange: String, routingKey: String, consumerTag: String)
        case returned(code: UInt16, text: String, exchange: String, routingKey: String)
    }

    var kind: Kind
    var properties = AMQPProperties()
    var bodySize = 0
    var body: [UInt8] = []
    var headerSeen = false

    init(_ kind: Kind) { self.kind = kind }

    var isComplete: Bool { headerSeen && body.count >= bodySize }
}
