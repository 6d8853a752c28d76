import Foundation

/// The files of the OpenAI Batch API, also read and written by vLLM's `run-batch`: an input file
/// of requests (`{"custom_id","method","url","body"}` a line) and a results file of answers
/// (`{"id","custom_id","response":{"status_code","body"},"error"}` a line).
public enum BatchFile {
    public static let endpoint = "/v1/chat/completions"

    /// One request line: a chat completion, with the body a live request would send (not streamed).
    public static func requestLine(customID: String, model: String, messages: [OpenAIClient.Message]) -> String {
        let line: [String: Any] = ["custom_id": customID, "method": "POST", "url": endpoint,
                                   "body": OpenAIClient.chatBody(model: model, messages: messages)]
        let data = (try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// What one request got: the reply's text, or why there is none.
    public typealias Outcome = Result<String, APIError>

    public struct ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// The answers in a results (or error) file, by custom id. A line that is not a result is an
    /// error naming its line; a request that failed is kept as its error.
    public static func results(_ data: Data) throws(ReadError) -> [String: Outcome] {
        var out: [String: Outcome] = [:]
        var number = 0
        for raw in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let line = raw.last == 0x0D ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let json = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw ReadError(line: number, message: "not a JSON object")
            }
            guard let id = json["custom_id"] as? String else { throw ReadError(line: number, message: "no custom_id") }
            if let error = json["error"] as? [String: Any] {
                out[id] = .failure(.badResponse((error["message"] as? String) ?? "the request failed"))
                continue
            }
            guard let response = json["response"] as? [String: Any] else {
                throw ReadError(line: number, message: "neither a response nor an error")
            }
            let status = (response["status_code"] as? NSNumber)?.intValue ?? 0
            let body = response["body"]
            let bodyData = body.flatMap { try? JSONSerialization.data(withJSONObject: $0) } ?? Data()
            guard status == 200 else {
                out[id] = .failure(APIError.from(status: status, headers: [:], body: bodyData))
                continue
            }
            guard let b = body as? [String: Any], let choices = b["choices"] as? [[String: Any]],
                  let message = choices.first?["message"] as? [String: Any] else {
                out[id] = .failure(.badResponse("the answer is not a chat completion"))
                continue
            }
            out[id] = .success(message["content"] as? String ?? "")
        }
        return out
    }

    /// The model named in a results file's answers (for labelling a column), if any.
    public static func model(in data: Data) -> String? {
        for raw in data.split(separator: 0x0A).prefix(50) {
            if let json = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any],
               let body = (json["response"] as? [String: Any])?["body"] as? [String: Any], let m = body["model"] as? String {
                return m
            }
        }
        return nil
    }
}
