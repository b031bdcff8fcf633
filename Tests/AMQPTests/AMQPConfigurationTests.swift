import Testing

@testable import AMQP

@Suite struct AMQPConfigurationTests {
    @Test func defaultsWhenOnlyHostIsGiven() throws {
        let config = try AMQPConfiguration(url: "amqp://broker.internal")
        #expect(config.host == "broker.internal")
        #expect(config.port == 5672)
        #expect(config.username == "guest")
        #expect(config.password == "guest")
        #expect(config.virtualHost == "/")
        #expect(config.scheme == .amqp)
    }

    @Test func fullURIWithPercentEncoding() throws {
        let config = try AMQPConfiguration(url: "amqp://us%40er:p%3Ass%2Fw@rabbit:5673/research%2Flab?heartbeat=7&connection_timeout=2500")
        #expect(config.username == "us@er")
        #expect(config.password == "p:ss/w")
        #expect(config.host == "rabbit")
        #expect(config.port == 5673)
        #expect(config.virtualHost == "research/lab")
        #expect(config.heartbeat == .seconds(7))
        #expect(config.connectTimeout == .milliseconds(2500))
    }

    @Test func encodedSlashIsTheDefaultVirtualHost() throws {
        #expect(try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:5672/%2F").virtualHost == "/")
        #expect(try AMQPConfiguration(url: "amqp://127.0.0.1/").virtualHost == "/")
    }

    @Test func amqpsDefaultsToTLSPort() throws {
        let config = try AMQPConfiguration(url: "amqps://secure.example")
        #expect(config.scheme == .amqps)
        #expect(config.port == 5671)
    }

    @Test func ipv6Host() throws {
        let config = try AMQPConfiguration(url: "amqp://u:p@[::1]:5680/v")
        #expect(config.host == "::1")
        #expect(config.port == 5680)
        #expect(config.redactedURL == "amqp://u:***@[::1]:5680/v")
    }

    @Test(arguments: [
        "http://host", "host:5672", "amqp://host:0", "amqp://host:99999", "amqp://host:abc",
        "amqp://host/a/b", "amqp://u:p%zz@host", "amqp://host?heartbeat=-1", "amqp://[::1",
    ])
    func rejectsMalformedURIs(_ url: String) {
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: url) }
    }

    @Test func passwordNeverAppearsInErrorsOrDescriptions() throws {
        let error = #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://user:s3cret@host:notaport") }
        #expect(error?.code == .invalidURI)
        #expect(error.map { "\($0)" }?.contains("s3cret") == false)
        let config = try AMQPConfiguration(url: "amqp://user:s3cret@host")
        #expect(!"\(config)".contains("s3cret"))
        #expect(!String(reflecting: config).contains("s3cret"))
        #expect(config.redactedURL == "amqp://user:***@host:5672/%2F")
    }
}
