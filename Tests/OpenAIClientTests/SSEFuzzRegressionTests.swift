import Foundation
import OpenAIClient
import TestSupport
import Testing

/// Replays the fuzz seeds (Fuzz/corpus/SSE) and every input that once failed the harness
/// (Fuzz/regressions/SSE) through the server-sent-events parser, checking what Fuzz/SSE.swift
/// checks (Fuzz/README.md): the events do not depend on where the stream is cut. Each input runs
/// in a child process, so an input that crashes fails its own test instead of ending the run.
@Suite struct SSEFuzzRegressionTests {
    @Test(arguments: sseFuzzInputs())
    func sseInput(_ path: String) async {
        let passed = await #expect(processExitsWith: .success, "\(path)") { [path = path as String] in
            replaySSE(try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
        }
        guard passed == nil else { return }
        // Once more, to show what the child wrote: the property's message, or the crash.
        let failed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [path = path as String] in
            replaySSE(try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
        }
        if let failed { Issue.record("\(path):\n\(String(decoding: failed.standardErrorContent, as: UTF8.self).suffix(3000))") }
    }

    @Test func theSeedsGiveTheirEvents() throws {
        let text = try Data(contentsOf: Fixtures.root.appendingPathComponent("Fuzz/corpus/SSE/openai-stream.txt"))
        var parser = SSEParser()
        let events = parser.feed(text) + parser.finish()
        #expect(events.count == 5)
        #expect(events.last == "[DONE]")
    }
}

/// Paths, from the repository root, of the SSE seeds and regressions (dot files left out).
private func sseFuzzInputs() -> [String] {
    ["Fuzz/corpus/SSE", "Fuzz/regressions/SSE"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }
}

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data(("fuzz property failed: " + message() + "\n").utf8))
    exit(3)
}

/// Fed whole, cut as the harness cuts it, and one byte at a time, the stream gives the same
/// events; a second `finish` gives none.
private func replaySSE(_ bytes: Data) {
    var whole = SSEParser()
    let expected = whole.feed(bytes) + whole.finish()
    check(whole.finish().isEmpty, "a second finish() gave events")

    var split = SSEParser()
    var events: [String] = []
    var start = 0
    for cut in cuts(of: bytes) {
        events += split.feed(bytes.subdata(in: start..<cut))
        start = cut
    }
    events += split.feed(bytes.subdata(in: start..<bytes.count)) + split.finish()
    check(events == expected, "events depend on where the stream was cut: \(cuts(of: bytes))\nwhole: \(expected)\ncut:   \(events)")

    var bytewise = SSEParser()
    events = bytes.indices.flatMap { bytewise.feed(bytes.subdata(in: $0..<($0 + 1))) } + bytewise.finish()
    check(events == expected, "events differ when the stream comes one byte at a time\nwhole: \(expected)\nbytes: \(events)")
}

/// The cuts of Fuzz/SSE.swift: up to 8 sorted positions from a generator seeded with the bytes' hash.
private func cuts(of bytes: Data) -> [Int] {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
    for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
    var state = hash
    func next() -> UInt64 {  // SplitMix64
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    let count = Int(next() % 8)
    return (0..<count).map { _ in Int(next() % UInt64(bytes.count + 1)) }.sorted()
}
