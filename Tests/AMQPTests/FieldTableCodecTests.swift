import CRabbitMQ
import Testing

@testable import AMQP

/// Encodes tables to AMQP wire bytes with librabbitmq and decodes them back, so the Swift
/// conversion is checked against the real codec, not just against itself.
@Suite struct FieldTableCodecTests {
    static let everyKind: AMQPTable = [
        "bool": .bool(true),
        "false": .bool(false),
        "int8": .int8(-8),
        "uint8": .uint8(200),
        "int16": .int16(-30_000),
        "uint16": .uint16(60_000),
        "int32": .int32(-2_000_000_000),
        "uint32": .uint32(4_000_000_000),
        "int64": .int64(-9_000_000_000_000),
        "float": .float(1.5),
        "double": .double(-2.25e100),
        "decimal": .decimal(AMQPDecimal(scale: 2, value: 31_415)),
        "string": .string("héllo, wörld ✓"),
        "empty": .string(""),
        "bytes": .bytes([0, 1, 2, 255, 0]),
        "timestamp": .timestamp(1_764_000_000),
        "void": .void,
        "array": .array([.int32(1), .string("two"), .array([.bool(false)]), .table(["k": .void])]),
        "table": .table(["nested": .table(["deep": .int64(42)]), "list": .array([])]),
    ]

    private func roundTrip(_ table: AMQPTable) throws -> AMQPTable {
        let arena = CArena()
        var input = arena.table(table)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var encodedLength = 0
        let status = buffer.withUnsafeMutableBytes { raw in
            amqp_encode_table(amqp_bytes_t(len: raw.count, bytes: raw.baseAddress), &input, &encodedLength)
        }
        #expect(status == AMQP_STATUS_OK.rawValue)
        let pool = UnsafeMutablePointer<amqp_pool_t>.allocate(capacity: 1)
        init_amqp_pool(pool, 4096)
        defer {
            empty_amqp_pool(pool)
            pool.deallocate()
        }
        var output = amqp_table_t()
        var offset = 0
        let decodeStatus = buffer.withUnsafeMutableBytes { raw in
            amqp_decode_table(amqp_bytes_t(len: encodedLength, bytes: raw.baseAddress), pool, &output, &offset)
        }
        #expect(decodeStatus == AMQP_STATUS_OK.rawValue)
        #expect(offset == encodedLength)
        return try AMQPTable(output)
    }

    @Test func everyValueKindSurvivesTheWire() throws {
        #expect(try roundTrip(Self.everyKind) == Self.everyKind)
    }

    @Test func emptyTable() throws {
        #expect(try roundTrip([:]) == [:])
    }

    @Test func encodingIsDeterministic() {
        func encode() -> [UInt8] {
            let arena = CArena()
            var input = arena.table(Self.everyKind)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var length = 0
            _ = buffer.withUnsafeMutableBytes { raw in
                amqp_encode_table(amqp_bytes_t(len: raw.count, bytes: raw.baseAddress), &input, &length)
            }
            return Array(buffer.prefix(length))
        }
        #expect(encode() == encode())
    }

    @Test func propertiesRoundTripThroughCStructure() throws {
        let properties = AMQPProperties(
            contentType: "application/json", contentEncoding: "utf-8", headers: Self.everyKind,
            deliveryMode: .persistent, priority: 7, correlationID: "exp-1", replyTo: "replies",
            expiration: "60000", messageID: "task-1", timestamp: 1_764_000_000, type: "analyse_batch",
            userID: "guest", appID: "tributary", clusterID: "c1")
        let arena = CArena()
        #expect(try AMQPProperties(arena.properties(properties)) == properties)
        #expect(try AMQPProperties(arena.properties(AMQPProperties())) == AMQPProperties())
    }

    @Test func queueArgumentsFromTypedFields() {
        let queue = QueueDeclaration(
            name: "q", queueType: .quorum, deadLetterExchange: "dlx", deadLetterRoutingKey: "dead",
            deliveryLimit: 5, messageTTL: 1000, maxLength: 10, extraArguments: ["x-custom": "v", "x-max-length": 20])
        #expect(
            queue.arguments == [
                "x-queue-type": "quorum", "x-dead-letter-exchange": "dlx", "x-dead-letter-routing-key": "dead",
                "x-delivery-limit": 5, "x-message-ttl": 1000, "x-max-length": 20, "x-custom": "v",
            ])
    }
}
