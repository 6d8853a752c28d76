import Foundation
import OpenAIClient
import Testing

@Suite struct BatchFileTests {
    @Test func requestLinesCarryTheLiveRequestsBody() throws {
        let line = BatchFile.requestLine(customID: "q1-ab", model: "m",
                                         messages: [.init(role: "system", content: "s"), .init(role: "user", content: "系统/登录")])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(json["custom_id"] as? String == "q1-ab")
        #expect(json["method"] as? String == "POST" && json["url"] as? String == "/v1/chat/completions")
        let body = try #require(json["body"] as? [String: Any])
        let live = OpenAIClient.chatBody(model: "m", messages: [.init(role: "system", content: "s"), .init(role: "user", content: "系统/登录")])
        #expect(Set(body.keys) == Set(live.keys))
        #expect(body["model"] as? String == "m" && (body["max_tokens"] as? Int) == (live["max_tokens"] as? Int))
        #expect(abs((body["temperature"] as? Double ?? 0) - (live["temperature"] as? Double ?? 1)) < 1e-9)
        #expect((body["messages"] as? [[String: String]]) == (live["messages"] as? [[String: String]]))
        #expect(body["stream"] == nil)
        #expect(!line.contains("\n") && line.contains("系统/登录"))
    }

    @Test func resultsAreMatchedByIDWithFailuresKept() throws {
        let text = """
            {"id":"r1","custom_id":"b","response":{"status_code":200,"body":{"model":"ft:x","choices":[{"index":0,"message":{"role":"assistant","content":"Two"}}]}},"error":null}
            {"id":"r0","custom_id":"a","response":{"status_code":200,"body":{"choices":[{"message":{"role":"assistant","content":"One"}}]}},"error":null}
            {"id":"r2","custom_id":"c","response":{"status_code":429,"body":{"error":{"message":"slow down","type":"requests"}}},"error":null}
            {"id":"r3","custom_id":"d","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}

            """
        let results = try BatchFile.results(Data(text.utf8))
        #expect(try results["a"]?.get() == "One")
        #expect(try results["b"]?.get() == "Two")
        guard case .failure(let e)? = results["c"] else { Issue.record("c"); return }
        #expect(e.description.contains("slow down"))
        guard case .failure(let d)? = results["d"] else { Issue.record("d"); return }
        #expect(d.description.contains("completion window expired"))
        #expect(BatchFile.model(in: Data(text.utf8)) == "ft:x")
        #expect(throws: BatchFile.ReadError(line: 2, message: "not a JSON object")) {
            try BatchFile.results(Data("{\"custom_id\":\"a\",\"error\":{}}\nnot json\n".utf8))
        }
    }
}
