import AMQP
import Testing
import TributaryCore

@testable import TributaryServices

/// A channel the broker closes for one message's size fails every publish in flight on it;
/// only the message of that size is to blame.
@Suite struct RefusalTests {
    func message(bytes: Int) -> OutboundMessage {
        OutboundMessage(
            destination: .tasks, routingKey: "corpus_synthesis", messageID: "m", correlationID: "e", type: "corpus_synthesis",
            body: [UInt8](repeating: 0x20, count: bytes))
    }

    @Test func onlyTheMessageOfTheNamedSizeIsBlamed() {
        let error = AMQPError(
            code: .channelClosed, operation: "channel 2", replyCode: 406,
            message: "PRECONDITION_FAILED - message size 300000 is larger than configured max size 204800")
        #expect(OutboxPublisher.refusal(error, blames: message(bytes: 300_000)))
        #expect(!OutboxPublisher.refusal(error, blames: message(bytes: 812)))
    }

    @Test func otherRefusalsBlameEveryPublishAndOtherErrorsNone() {
        let other = AMQPError(code: .channelClosed, operation: "channel 2", replyCode: 406, message: "PRECONDITION_FAILED - something else")
        #expect(OutboxPublisher.refusal(other, blames: message(bytes: 10)))
        let lost = AMQPError(code: .connectionLost, operation: "publish", message: "gone")
        #expect(!OutboxPublisher.refusal(lost, blames: message(bytes: 10)))
        let nack = AMQPError(code: .publishNacked, operation: "publish", message: "")
        #expect(!OutboxPublisher.isRefusal(nack))
    }
}
