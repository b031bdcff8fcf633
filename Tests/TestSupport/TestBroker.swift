import Foundation
import Testing

/// The broker the integration suites use: `TRIBUTARY_TEST_AMQP_URL`. Without it those suites
/// are skipped (and say so), so `swift test` passes on a machine with no RabbitMQ;
/// `Deploy/local/test.sh` starts a broker and sets it.
package enum TestBroker {
    package static let url: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// The trait of every suite that needs a broker.
    package static var required: ConditionTrait {
        .enabled(if: url != nil, "needs a broker: set TRIBUTARY_TEST_AMQP_URL (Deploy/local/test.sh does)")
    }

    /// The configured URL; only called from suites carrying ``required``.
    package static func requireURL() throws -> String {
        guard let url else { throw BrokerNotConfigured() }
        return url
    }

    /// The broker's TLS listener (`TRIBUTARY_TEST_AMQPS_URL`, e.g. `amqps://guest:guest@localhost:5671/%2F`)
    /// and the folder of the test CA it uses (`TRIBUTARY_TEST_TLS_DIR`, made by
    /// `Deploy/local/make-certificates.sh`).
    package static let tlsURL: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_AMQPS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    package static let tlsDirectory: String? = ProcessInfo.processInfo.environment["TRIBUTARY_TEST_TLS_DIR"].flatMap { $0.isEmpty ? nil : $0 }

    /// The trait of every suite that needs the broker's TLS listener.
    package static var tlsRequired: ConditionTrait {
        .enabled(
            if: tlsURL != nil && tlsDirectory != nil,
            "needs a TLS listener: set TRIBUTARY_TEST_AMQPS_URL and TRIBUTARY_TEST_TLS_DIR (Deploy/local/test.sh does)")
    }

    struct BrokerNotConfigured: Error, CustomStringConvertible {
        var description: String { "TRIBUTARY_TEST_AMQP_URL is not set" }
    }
}
