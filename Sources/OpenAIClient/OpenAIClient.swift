import Foundation

/// A client for OpenAI-compatible APIs (OpenAI, Ollama, llama.cpp, vLLM): chat completions, plain
/// and streamed, and the model list. General on purpose: files and fine-tuning jobs use the same
/// transport, errors and retries.
///
/// The API key is sent only to `baseURL` (redirects are not followed) and never appears in an
/// error message or description.
public final class OpenAIClient: Sendable {
    public struct Configuration: Sendable {
        public var baseURL: String
        public var apiKey: String?
        public var timeouts = HTTPTransfer.Timeouts()
        /// Retries after 429 (not insufficient_quota), 5xx and connection failures.
        public var maxRetries = 3
        /// Retries of a 429 (rate limited), when they should be more than `maxRetries`: a long
        /// evaluation waits out the server's limits, but not a server that keeps failing.
        public var rateLimitRetries: Int?
        /// Told before a wait of a second or more ahead of another try (a rate limit's
        /// Retry-After, a failing server's backoff): how long, after what, and which try comes.
        public var onWait: (@Sendable (_ wait: Duration, _ after: APIError, _ attempt: Int) -> Void)?
        public var maxBackoff: Duration = .seconds(8)
        public var maxResponseBytes = 4 << 20

        public init(baseURL: String, apiKey: String?) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
        }

        public static let presets: [String: String] = [
            "openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434/v1",
            "llamacpp": "http://localhost:8080/v1", "vllm": "http://localhost:8000/v1",
        ]

        /// How many times a request that failed so may be tried again.
        func retries(for error: APIError) -> Int {
            if case .api(429, _, _, _, _) = error, let n = rateLimitRetries { return max(n, maxRetries) }
            return maxRetries
        }
    }

    public struct Message: Sendable, Codable, Equatable {
        public var role: String
        public var content: String
        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }
    }

    public let configuration: Configuration
    /// Waits between retries; tests replace it to run without sleeping.
    let sleep: @Sendable (Duration) -> Void

    public init(_ configuration: Configuration, sleep: @escaping @Sendable (Duration) -> Void = { Thread.sleep(forTimeInterval: $0.inSeconds) }) {
        self.configuration = configuration
        self.sleep = sleep
    }

    // MARK: Chat

    /// Chat completion, streamed when `onDelta` is given (it receives each piece of text as it
    /// arrives). Returns the whole text. A stream that ends without `[DONE]`, or with an error
    /// event, is an error, never a finished answer.
    public func chat(model: String, messages: [Message], temperature: Double = 0.7, maxTokens: Int = 300,
                     transfer: HTTPTransfer = HTTPTransfer(), onDelta: ((String) -> Void)? = nil) throws(APIError) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: Self.chatBody(model: model, messages: messages, temperature: temperature,
                                                                              maxTokens: maxTokens, stream: onDelta != nil))) ?? Data()
        return try withRetries(transfer) { () throws(APIError) -> String in
            if let onDelta {
                return try self.streamChat(data, transfer: transfer, onDelta: onDelta)
            }
            let (status, headers, bytes) = try self.send("POST", "/chat/completions", body: data, transfer: transfer, stream: false)
            guard status == 200 else { throw APIError.from(status: status, headers: headers, body: bytes) }
            guard let json = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
                  let choices = json["choices"] as? [[String: Any]], let first = choices.first,
                  let message = first["message"] as? [String: Any], let content = message["content"] as? String else {
                throw APIError.badResponse("the answer is not a chat completion")
            }
            return content
        }
    }

    /// The body of a chat completion request: the same for a live request and a batch line.
    public static func chatBody(model: String, messages: [Message], temperature: Double = 0.7, maxTokens: Int = 300,
                                stream: Bool = false) -> [String: Any] {
        var body: [String: Any] = [
            "model": model, "messages": messages.map { ["role": $0.role, "content": $0.content] },
            "temperature": temperature, "max_tokens": maxTokens,
        ]
        if stream { body["stream"] = true }
        return body
    }

    private func streamChat(_ body: Data, transfer: HTTPTransfer, onDelta: (String) -> Void) throws(APIError) -> String {
        var parser = SSEParser()
        var text = ""
        var done = false
        var failure: APIError?
        var status = 0
        var headers: [String: String] = [:]
        var errorBody = Data()
        // A server that ignores "stream" answers with one chat completion as JSON.
        var plain = false
        var plainBody = Data()
        // The last event said the answer is whole (finish_reason "stop", "length" …): some
        // servers end the stream there without `[DONE]`.
        var finished = false
        func handle(_ event: String) {
            guard failure == nil, !done else { return }
            if event == "[DONE]" { done = true; return }
            guard let json = try? JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else {
                failure = .badResponse("a streamed event is not JSON")
                return
            }
            if let error = json["error"] as? [String: Any] {
                failure = .streamFailed((error["message"] as? String) ?? "unknown error")
                return
            }
            for choice in (json["choices"] as? [[String: Any]]) ?? [] {
                if let delta = choice["delta"] as? [String: Any], let piece = delta["content"] as? String, !piece.isEmpty {
                    text += piece
                    onDelta(piece)
                }
                if let reason = choice["finish_reason"] as? String, !reason.isEmpty { finished = true }
            }
        }
        do {
            status = try transfer.perform(request("POST", "/chat/completions", body: body, stream: true),
                                          timeouts: configuration.timeouts, maxBytes: configuration.maxResponseBytes,
                                          onHeaders: { code, h in
                                              status = code
                                              headers = h
                                              plain = (h["content-type"] ?? "").lowercased().contains("application/json")
                                          },
                                          onData: { chunk in
                                              if status != 200 { errorBody.append(chunk); return }
                                              if plain { plainBody.append(chunk); return }
                                              for event in parser.feed(chunk) { handle(event) }
                                          })
        } catch {
            throw APIError(error)
        }
        guard status == 200 else { throw APIError.from(status: status, headers: headers, body: errorBody) }
        if plain {
            guard let json = try? JSONSerialization.jsonObject(with: plainBody) as? [String: Any],
                  let choices = json["choices"] as? [[String: Any]], let first = choices.first,
                  let message = first["message"] as? [String: Any], let content = message["content"] as? String else {
                throw APIError.badResponse("the answer is neither a stream nor a chat completion")
            }
            onDelta(content)
            return content
        }
        for event in parser.finish() { handle(event) }
        if let failure { throw failure }
        guard done || finished else { throw APIError.streamEnded }
        return text
    }

    /// The ids of the models the server offers.
    public func models(transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> [String] {
        try withRetries(transfer) { () throws(APIError) -> [String] in
            let (status, headers, bytes) = try self.send("GET", "/models", body: nil, transfer: transfer, stream: false)
            guard status == 200 else { throw APIError.from(status: status, headers: headers, body: bytes) }
            guard let json = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any],
                  let data = json["data"] as? [[String: Any]] else { throw APIError.badResponse("the answer is not a model list") }
            return data.compactMap { $0["id"] as? String }
        }
    }

    // MARK: Transport

    func request(_ method: String, _ path: String, body: Data?, stream: Bool) -> HTTPTransfer.Request {
        var r = HTTPTransfer.Request(url: configuration.baseURL + path)
        r.method = method
        r.body = body
        r.headers = ["Content-Type: application/json", "Accept: " + (stream ? "text/event-stream" : "application/json"),
                     "User-Agent: flowsmith"]
        if let key = configuration.apiKey, !key.isEmpty { r.headers.append("Authorization: Bearer " + key) }
        return r
    }

    func send(_ method: String, _ path: String, body: Data?, transfer: HTTPTransfer, stream: Bool) throws(APIError) -> (Int, [String: String], Data) {
        var headers: [String: String] = [:]
        var bytes = Data()
        do {
            let status = try transfer.perform(request(method, path, body: body, stream: stream), timeouts: configuration.timeouts,
                                              maxBytes: configuration.maxResponseBytes,
                                              onHeaders: { _, h in headers = h }, onData: { bytes.append($0) })
            return (status, headers, bytes)
        } catch {
            throw APIError(error)
        }
    }

    /// Retries what may succeed later (429 except insufficient_quota, 500/502/503/504, connection
    /// failures), waiting as the server asks (`retry-after-ms`, `retry-after`) or with jittered
    /// exponential backoff, capped; never 400/401/403/404, never after a cancel. `retrying` narrows
    /// what is retried (a request that creates something is not sent twice).
    func withRetries<T>(_ transfer: HTTPTransfer, retrying: (APIError) -> Bool = { $0.isRetryable },
                        _ attempt: () throws(APIError) -> T) throws(APIError) -> T {
        var tries = 0
        while true {
            do {
                return try attempt()
            } catch let raw {
                let error = cleaned(raw)
                tries += 1
                guard retrying(error), tries <= configuration.retries(for: error), !transfer.isCancelled else { throw error }
                pause(after: error, tries: tries)
                if transfer.isCancelled { throw .cancelled }
            }
        }
    }

    /// The error as a user sees it: no trace of the key, and the server's address on a network failure.
    func cleaned(_ raw: APIError) -> APIError {
        var error = raw.redacting(configuration.apiKey)
        if case .network(let code, let message) = error {
            error = .network(code: code, message: "\(message) at \(configuration.baseURL)")
        }
        return error
    }

    /// Waits before try number `tries + 1`: as long as the server asked, or a jittered backoff.
    func pause(after error: APIError, tries: Int) {
        let backoff = min(configuration.maxBackoff, .milliseconds(250 * (1 << min(10, tries - 1))))
        let jittered = backoff * Double.random(in: 0.5...1.0)
        let wait = min(configuration.maxBackoff, error.retryAfter ?? jittered)
        if wait >= .seconds(1) { configuration.onWait?(wait, error, tries + 1) }
        sleep(wait)
    }
}
