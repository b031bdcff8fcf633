import ArgumentParser
import Foundation
import Logging
import Synchronization
import Testing

@testable import TributaryCommandLine

@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let captured = Mutex<[String]>([])
    }

    func logger(_ lines: Lines) -> Logger {
        Logger(label: "tributary.test") { label in
            JSONLogHandler(label: label, output: JSONLogHandler.Output { line in lines.captured.withLock { $0.append(line) } })
        }
    }

    @Test func eachMessageIsOneJSONObjectWithLevelTimestampMessageAndMetadataKeys() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "tributary.worker_id"] = "w-1"
        logger.info(
            "batch \"7\" done\nnext line", metadata: ["tributary.batch_index": "7", "nested": .dictionary(["a": .array(["x", "y\u{1}"])])])
        let captured = lines.captured.withLock { $0 }
        #expect(captured.count == 1)
        let line = try #require(captured.first)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "one line per message")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "batch \"7\" done\nnext line")
        #expect(object["label"] as? String == "tributary.test")
        #expect(object["tributary.worker_id"] as? String == "w-1")
        #expect(object["tributary.batch_index"] as? String == "7")
        #expect((object["nested"] as? [String: Any])?["a"] as? [String] == ["x", "y\u{1}"])
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.hasSuffix("Z") && timestamp.contains("T"), "\(timestamp)")
        // Sorted top-level keys: the same message always has the same shape.
        let order = ["label", "level", "message", "nested", "source", "timestamp", "tributary.batch_index", "tributary.worker_id"]
        let positions = order.compactMap { line.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted(), "\(line)")
    }

    @Test func formatComesFromTheOptionThenTheEnvironmentThenText() throws {
        #expect(try ConnectionOptions.parse(["--log-format", "json"]).resolvedLogFormat == .json)
        #expect(try ConnectionOptions.parse(["--log-format", "text"]).resolvedLogFormat == .text)
        #expect(try ConnectionOptions.parse([]).broker.logFormat == nil)
        #expect(throws: (any Error).self) { try ConnectionOptions.parse(["--log-format", "xml"]) }
    }
}
