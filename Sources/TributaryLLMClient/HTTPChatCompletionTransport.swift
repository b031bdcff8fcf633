import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TributaryAnalysis
import TributaryCore

/// Sends Chat Completions requests to an OpenAI-compatible endpoint over HTTP(S).
///
/// The API key is sent as a bearer token and appears nowhere else: not in an error, a log
/// line or a description of this value.
public struct HTTPChatCompletionTransport: ChatCompletionTransport, CustomStringConvertible {
    public struct Configuration: Sendable {
        /// `https://api.example.com/v1`; the request goes to `{baseURL}/chat/completions`.
        public var baseURL: String
        public var apiKey: String?
        /// The whole call: connecting, sending and the model's answer.
        public var timeout: Duration
        /// The largest response body read; a larger one fails the call.
        public var maximumResponseBytes = 8 << 20

        public init(baseURL: String, apiKey: String?, timeout: Duration) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.timeout = timeout
        }

        var endpoint: String { (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + "/chat/completions" }
    }

    public let configuration: Configuration
    private let client: HTTPClient

    public init(configuration: Configuration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
    }

    public var description: String { "HTTPChatCompletionTransport(\(configuration.endpoint))" }

    public func send(_ body: [UInt8]) async throws(TaskFailure) -> EndpointReply {
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let key = configuration.apiKey, !key.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.nanoseconds(Int64(configuration.timeout / .nanoseconds(1)))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: configuration.maximumResponseBytes)
            return EndpointReply(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: Array(buffer: bytes))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw TaskFailure(code: "llm_timeout", message: "the endpoint \(configuration.endpoint) did not answer within \(configuration.timeout)")
        } catch {
            // Transport errors name the host at most; the request (and its key) is never in them.
            throw TaskFailure(code: "llm_unavailable", message: "calling \(configuration.endpoint): \(error)")
        }
    }
}
