import Foundation
import TributaryTestSupport
import TributaryTesting

/// `Tests/Tools/scripted_llm_server.py` as a process of the test: an OpenAI-compatible server
/// that meters like a provider (429 past its buckets) and fails on demand.
final class ScriptedModelServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    let statsFile: String

    struct Stats: Decodable {
        var requests: Int
        var answered: Int
        var rateLimited: Int
        var stormed: Int
        var tokensAnswered: Int
        var promptTokensAnswered: Int
        var completionTokensAnswered: Int
        var firstAt: Double?
        var lastAt: Double?
        /// Answered calls per document id, repairs included.
        var documents: [String: Int]

        enum CodingKeys: String, CodingKey {
            case requests, answered, stormed, documents
            case rateLimited = "rate_limited"
            case tokensAnswered = "tokens_answered"
            case promptTokensAnswered = "prompt_tokens_answered"
            case completionTokensAnswered = "completion_tokens_answered"
            case firstAt = "first_at"
            case lastAt = "last_at"
        }

        /// Seconds from the first call to the last.
        var span: Double { (lastAt ?? 0) - (firstAt ?? 0) }
    }

    init(directory: String, arguments: [String]) async throws {
        let name = "\(directory)/scripted-llm-\(UUID().uuidString)"
        let portFile = name + ".port"
        statsFile = name + ".stats.json"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", Repository.path("Tests/Tools/scripted_llm_server.py"), "--port-file", portFile, "--stats-file", statsFile] + arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try await eventually(within: .seconds(20), "the scripted model server to listen") { FileManager.default.fileExists(atPath: portFile) }
        port = Int(try String(contentsOfFile: portFile, encoding: .utf8)) ?? 0
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// What the server counted, as it wrote it after its last call.
    func stats() throws -> Stats {
        try JSONDecoder().decode(Stats.self, from: Data(contentsOf: URL(fileURLWithPath: statsFile)))
    }

    /// SIGKILL: the test process ignores SIGTERM (the service lifecycle's signal handling),
    /// and a child inherits that, so SIGTERM would not stop it.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
