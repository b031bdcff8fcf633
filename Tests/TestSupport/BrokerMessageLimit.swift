import Foundation
import Testing

/// A private broker node whose `max_message_size` is small: `TRIBUTARY_TEST_LIMITED_AMQP_URL`,
/// with the limit in `TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE` (`Deploy/local/test.sh` starts it).
///
/// RabbitMQ's limit is node-wide, so lowering it on the shared broker would refuse the large
/// messages of tests running beside; a node of its own keeps the limit to the tests that ask.
package enum BrokerMessageLimit {
    package static let url: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_LIMITED_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
    package static let bytes: Int? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE"].flatMap(Int.init)

    /// The trait of tests that need the limited node.
    package static var available: ConditionTrait {
        .enabled(
            if: url != nil && bytes != nil,
            "needs a broker with a small message limit: set TRIBUTARY_TEST_LIMITED_AMQP_URL and TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE (Deploy/local/test.sh does)"
        )
    }

    /// The limited node's URL and limit; only called from tests carrying ``available``.
    package static func require() throws -> (url: String, bytes: Int) {
        guard let url, let bytes else { throw LimitError("TRIBUTARY_TEST_LIMITED_AMQP_URL or TRIBUTARY_TEST_LIMITED_MAX_MESSAGE_SIZE is not set") }
        return (url, bytes)
    }

    struct LimitError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
