import Foundation

/// Why a request to an OpenAI-compatible server failed, in words a user can act on. Never holds
/// the API key; server text is kept as the server's message.
public enum APIError: Error, Equatable, Sendable, CustomStringConvertible {
    case api(status: Int, message: String, type: String?, code: String?, retryAfter: Duration?)
    case network(code: Int, message: String)
    case timedOut(String)
    case cancelled
    case tooLarge(Int)
    case badResponse(String)
    case streamEnded
    /// The server sent an error event in the middle of a streamed answer.
    case streamFailed(String)

    init(_ f: HTTPTransfer.Failure) {
        switch f {
        case .cancelled: self = .cancelled
        case .timedOut(let why): self = .timedOut(why)
        case .network(let code, let message): self = .network(code: code, message: message)
        case .tooLarge(let n): self = .tooLarge(n)
        }
    }

    /// An error response, read from OpenAI's error JSON when the body has it.
    static func from(status: Int, headers: [String: String], body: Data) -> APIError {
        var message = HTTPStatus.reason(status)
        var type: String?
        var code: String?
        if let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let error = json["error"] as? [String: Any] {
                message = (error["message"] as? String) ?? message
                type = error["type"] as? String
                code = error["code"] as? String
            } else if let error = json["error"] as? String {
                message = error
            } else if let said = json["message"] as? String, !said.isEmpty {
                // vLLM's and other FastAPI servers' errors: {"object": "error", "message": …, "type": …}.
                message = said
                type = json["type"] as? String
            } else if let detail = json["detail"] as? String, !detail.isEmpty {
                message = detail
            }
        } else if status != 200, let text = Self.plainText(body), !text.isEmpty {
            message = text
        }
        // A server's message is prose said on one line: its line breaks (CR LF …) become spaces.
        if message.contains(where: \.isNewline) {
            message = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " ")
        }
        if (300..<400).contains(status) {
            // Not followed, so that the key goes nowhere but the address given.
            let to = headers["location"].map { " to " + String($0.prefix(200)) } ?? ""
            message = "the server redirected\(to), which is not followed: check the base URL (http or https, and the /v1 at its end)"
        }
        var retryAfter: Duration?
        if let ms = headers["retry-after-ms"].flatMap(Double.init) {
            retryAfter = .milliseconds(Int64(ms))
        } else if let s = headers["retry-after"].flatMap(Double.init) {
            retryAfter = .milliseconds(Int64(s * 1000))
        }
        return .api(status: status, message: message, type: type, code: code, retryAfter: retryAfter)
    }

    /// What a body that is not OpenAI's error JSON says, in a line of at most 300 characters: a
    /// proxy's HTML error page by its title (or its text without tags), plain text as it is.
    static func plainText(_ body: Data) -> String? {
        let text = String(decoding: body.prefix(64 << 10), as: UTF8.self)
        var said = text
        if text.range(of: "<html", options: .caseInsensitive) != nil || text.range(of: "<!doctype", options: .caseInsensitive) != nil {
            if let open = text.range(of: "<title>", options: .caseInsensitive),
               let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex) {
                said = String(text[open.upperBound..<close.lowerBound])
            } else {
                // No title: the text without its style, scripts and tags.
                said = text.replacingOccurrences(of: "(?is)<(style|script)[^>]*>.*?</\\1>", with: " ", options: .regularExpression)
                    .replacingOccurrences(of: "(?s)<[^>]*>", with: " ", options: .regularExpression)
            }
        }
        said = said.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return said.count > 300 ? String(said.prefix(299)) + "…" : said
    }

    /// The same error with any trace of the key removed from the server's words (servers echo
    /// parts of a wrong key back).
    func redacting(_ key: String?) -> APIError {
        guard let key, key.count >= 8, case .api(let status, let message, let type, let code, let after) = self else { return self }
        var m = message.replacingOccurrences(of: key, with: "[key]")
        m = m.replacingOccurrences(of: String(key.suffix(12)), with: "[key]")
        return .api(status: status, message: m, type: type, code: code, retryAfter: after)
    }

    var isRetryable: Bool {
        switch self {
        case .api(let status, _, let type, let code, _):
            if status == 429 { return type != "insufficient_quota" && code != "insufficient_quota" }
            return [500, 502, 503, 504].contains(status)
        case .network(let code, _):
            return [5, 6, 7, 35, 52, 55, 56].contains(code)     // resolve, connect, TLS, empty reply, send/recv
        default:
            return false
        }
    }

    /// Retryable even for a request that creates something: the server said it did not take it
    /// (429, 503), or the connection never opened.
    var isRetryableBeforeSending: Bool {
        switch self {
        case .api(let status, _, _, _, _): return (status == 429 || status == 503) && isRetryable
        case .network(let code, _): return [6, 7].contains(code)
        default: return false
        }
    }

    var retryAfter: Duration? {
        if case .api(_, _, _, _, let after) = self { return after }
        return nil
    }

    /// The error in a few words, for a line that says what is being waited out.
    public var brief: String {
        switch self {
        case .api(429, _, _, _, _): "rate limited"
        case .api(let status, _, _, _, _): "HTTP \(status)"
        case .network: "cannot reach the server"
        default: description
        }
    }

    public var description: String {
        switch self {
        case .api(let status, let message, let type, let code, _):
            let hint: String = switch status {
            case 401: "check the API key: OPENAI_API_KEY, or api-key in the config file"
            case 403: "the key may not have access to this model"
            case 404: "check OPENAI_BASE_URL and the model name"
            case 429 where type == "insufficient_quota" || code == "insufficient_quota": "the account is out of credit"
            case 429: "rate limited; try again shortly"
            case 500...599: "the server failed; try again later"
            default: ""
            }
            return "HTTP \(status): \(message)" + (hint.isEmpty ? "" : " (\(hint))")
        case .network(_, let message):
            return "cannot reach the server: \(message) (is OPENAI_BASE_URL right, and is the server running?)"
        case .timedOut(let why): return "timed out: \(why)"
        case .cancelled: return "cancelled"
        case .tooLarge(let n): return "the answer was larger than \(n / 1024) KiB and was cut off"
        case .badResponse(let why): return "unexpected answer from the server: \(why)"
        case .streamEnded: return "the answer stopped before it was complete (no [DONE])"
        case .streamFailed(let message): return "the server stopped the answer with an error: \(message)"
        }
    }
}

enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        [400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found", 408: "request timeout",
         409: "conflict", 422: "unprocessable", 429: "too many requests", 500: "internal server error",
         502: "bad gateway", 503: "service unavailable", 504: "gateway timeout"][status] ?? "error"
    }
}
