// libFuzzer harness for the server-sent-events parser (Fuzz/README.md; built and run by
// scripts/fuzz.sh, compiled together with Sources/OpenAIClient/SSEParser.swift alone, so the
// harness needs neither libcurl nor the rest of OpenAIClient).
//
// The input is a byte stream as a server would send it. It is fed once whole and once cut into
// up to 8 chunks at places derived from the input itself, so cuts fall inside UTF-8 characters,
// inside lines and between CR and LF. Both must give the same events, and a second `finish`
// must give none.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)

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
    events += split.feed(bytes.subdata(in: start..<bytes.count))
    events += split.finish()
    check(events == expected, "events depend on where the stream was cut: \(cuts(of: bytes))\nwhole: \(expected)\ncut:   \(events)")
    return 0
}

/// Up to 8 sorted cut positions in 0...count, chosen by a generator seeded with the bytes' hash,
/// so the same input is always cut the same way. Empty chunks are allowed on purpose.
func cuts(of bytes: Data) -> [Int] {
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

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("SSE fuzz property failed: " + message()) }
}
