import AMQP
import Foundation
import Testing
import TributaryTestSupport
import TributaryTesting

/// `amqps://` against the local broker's TLS listener and a CA the test set-up made: it works
/// with the right CA (and a client certificate), and every way it can be wrong is an error that
/// names the cause, never a fallback to plain text.
@Suite(.serialized, TestBroker.tlsRequired) struct TLSTests {
    let directory = TestBroker.tlsDirectory ?? ""

    func configuration(ca: String? = "ca.pem") throws -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: TestBroker.tlsURL ?? "")
        configuration.tls.caCertificateFile = ca.map { "\(directory)/\($0)" }
        configuration.connectTimeout = .seconds(5)
        configuration.connectionName = BrokerEnvironment.uniqueName("tls")
        return configuration
    }

    @Test func verifiedConnectionCarriesMessages() async throws {
        try await roundTrip(try configuration())
    }

    @Test func mutualTLSWithAClientCertificate() async throws {
        var configuration = try configuration()
        configuration.tls.certificateFile = "\(directory)/client.pem"
        configuration.tls.keyFile = "\(directory)/client.key"
        try await roundTrip(configuration)
    }

    @Test func optionsInTheURIQuery() throws {
        let url = "amqps://u:p@broker:5671/%2F?cacertfile=%2Fetc%2Fca.pem&certfile=/c.pem&keyfile=/k.pem&verify=verify_peer"
        let configuration = try AMQPConfiguration(url: url)
        #expect(configuration.tls.caCertificateFile == "/etc/ca.pem")
        #expect(configuration.tls.certificateFile == "/c.pem" && configuration.tls.keyFile == "/k.pem")
        #expect(configuration.tls.verifyPeer)
        #expect(try !AMQPConfiguration(url: "amqps://broker/?verify=verify_none").tls.verifyPeer)
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://broker/?cacertfile=/ca.pem") }
    }

    @Test func wrongCAIsRefusedWithTheReason() async throws {
        let error = try await connectionError(try configuration(ca: "other-ca.pem"))
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("not accepted"), "\(error)")
        #expect(error.message.contains("issuer") || error.message.contains("self-signed"), "\(error)")
    }

    @Test func hostNameTheCertificateDoesNotListIsRefused() async throws {
        var configuration = try configuration()
        configuration.host = "127.0.0.1"  // the certificate names localhost only
        let error = try await connectionError(configuration)
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("does not name the host '127.0.0.1'"), "\(error)")
    }

    @Test func expiredCertificateIsRefusedWithTheReason() async throws {
        // A TLS server presenting an expired certificate signed by the right CA.
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = [
            "s_server", "-quiet", "-accept", "127.0.0.1:\(port)", "-cert", "\(directory)/expired.pem", "-key", "\(directory)/expired.key",
        ]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate() }
        var expiredServer = try configuration()
        expiredServer.port = port
        let configuration = expiredServer
        let error = try await withDeadline(.seconds(20), "the expired certificate to be refused") {
            while true {
                do {
                    _ = try await AMQPConnection.connect(configuration)
                    throw TLSTestFailure("connected to a server with an expired certificate")
                } catch let error as AMQPError where error.code == .connectionFailed {
                    try await Task.sleep(for: .milliseconds(100))  // s_server not listening yet
                } catch let error as AMQPError {
                    return error
                }
            }
        }
        #expect(error.code == .tlsFailed)
        #expect(error.message.contains("certificate has expired"), "\(error)")
    }

    @Test func plainListenerIsNotMistakenForTLS() async throws {
        var configuration = try configuration()
        configuration.port = 5672
        let error = try await connectionError(configuration)
        #expect(error.code == .tlsFailed, "\(error)")
    }

    private func connectionError(_ configuration: AMQPConfiguration) async throws -> AMQPError {
        do {
            let connection = try await AMQPConnection.connect(configuration)
            await connection.close()
            throw TLSTestFailure("connected, though it should not have")
        } catch let error as AMQPError {
            return error
        }
    }

    private func roundTrip(_ configuration: AMQPConfiguration) async throws {
        let connection = try await AMQPConnection.connect(configuration)
        let queue = BrokerEnvironment.uniqueName("tls")
        try await connection.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await connection.publish(Array("over tls".utf8), routingKey: queue)
        let delivery = try await DeliveryReader(connection.consume(queue: queue)).next()
        #expect(delivery.body == Array("over tls".utf8))
        try delivery.ack()
        await connection.close()
    }
}

struct TLSTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
