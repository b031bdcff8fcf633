import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What an operator's probe or scraper sees: one GET, its status code and body.
public enum HTTPProbe {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func get(_ url: String, timeout: Duration = .seconds(5)) async throws -> Response {
        guard let address = URL(string: url) else { throw TestPipelineError("not a URL: \(url)") }
        var request = URLRequest(url: address)
        request.timeoutInterval = Double(timeout.components.seconds) + 0.5
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self))
    }

    /// The samples of a Prometheus text exposition: `name{labels}` → value, comments skipped.
    public static func samples(_ exposition: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }
}
