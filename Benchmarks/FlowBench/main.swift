import FlowCore
import FlowFormats
import FlowSuggest
import Foundation
import TestSupport

/// `make bench`: how long reading, writing and exporting take at 1k, 10k and 100k steps, next to
/// Graphviz's own `nop` reading and printing the same DOT (no layout), as a reference.

func best(of runs: Int, _ body: () throws -> Void) rethrows -> Duration {
    var best = Duration.seconds(1_000_000)
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try body()
        best = min(best, ContinuousClock.now - start)
    }
    return best
}

func seconds(_ d: Duration) -> Double { d.inSeconds }

func ms(_ d: Duration) -> String { String(format: "%9.1f ms", seconds(d) * 1000) }

func runNop(_ path: String) -> Duration? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["nop", path]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    let start = ContinuousClock.now
    guard (try? p.run()) != nil else { return nil }
    p.waitUntilExit()
    return p.terminationStatus == 0 ? ContinuousClock.now - start : nil
}

func peakRSSMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}

if CommandLine.arguments.dropFirst().first == "import" {
    importBench()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "tune" {
    TuneBench.run()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "suggest" {
    try SuggestBench.timing()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "domains" {
    TuneBench.domains()
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "breakdown" {
    Breakdown.run(ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "drafts" {
    DraftBench.run(ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "quality" {
    try SuggestBench.quality(ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows)
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "open", CommandLine.arguments.count == 3 {
    EditorBench.openAndReport(CommandLine.arguments[2])
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "phases" {
    // Where reading a large file goes: `FlowBench phases [STEPS]`.
    let n = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 100_000 : 100_000
    let path = NSTemporaryDirectory() + "flowbench-phases.flow.md"
    try FlowMarkdownWriter.write(RandomFlow.large(steps: n)).write(toFile: path, atomically: true, encoding: .utf8)
    var text = ""
    print("read  ", ms(best(of: 3) { text = (try? TextFile.read(path)) ?? "" }))
    var parsed: ParsedFlow?
    let bytes = Array(text.utf8)
    print("parse ", ms(best(of: 3) { parsed = FlowMarkdownReader.readAll(bytes: bytes).0 }))
    if CommandLine.arguments.contains("parse-only") {
        for _ in 0..<10 { parsed = FlowMarkdownReader.readAll(bytes: bytes).0 }
        exit(0)
    }
    print("check ", ms(best(of: 3) { _ = parsed?.flow.validate() }))
    print("write ", ms(best(of: 3) { _ = parsed.map { FlowMarkdownWriter.write($0.flow) } }))
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "keys" {
    // One key and a frame, for a profiler: `FlowBench keys [STEPS] [detail]`.
    let n = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 100_000 : 100_000
    let flow = RandomFlow.large(steps: n)
    for _ in 0..<5 {
        let r = EditorBench.keySamples(flow, detail: CommandLine.arguments.contains("detail"))
        print("p50", EditorBench.us(r.p50), "p99", EditorBench.us(r.p99))
    }
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "editor" {
    try EditorBench.run()
    exit(0)
}
print("flowsmith benchmarks (release build; best of 3 runs, 1 run at 100k)")
print("steps     file size   write        read         mermaid      dot          graphviz nop  dot/nop")
for n in [1_000, 10_000, 100_000] {
    let flow = RandomFlow.large(steps: n)
    let runs = n >= 100_000 ? 1 : 3
    var text = ""
    let write = best(of: runs) { text = FlowMarkdownWriter.write(flow) }
    var parsed: ParsedFlow?
    let read = try best(of: runs) { parsed = try FlowMarkdownReader.read(text) }
    precondition(parsed?.flow.stepCount == flow.stepCount, "read back a different flow")
    var mmd = ""
    let mermaid = best(of: runs) { mmd = MermaidWriter.write(flow) }
    var dot = ""
    let dotTime = best(of: runs) { dot = DotWriter.write(flow) }
    let path = NSTemporaryDirectory() + "flowbench-\(n).dot"
    try dot.write(toFile: path, atomically: true, encoding: .utf8)
    let nop = runNop(path)
    try? FileManager.default.removeItem(atPath: path)
    let ratio = nop.map { String(format: "%.3f", seconds(dotTime) / seconds($0)) } ?? "n/a"
    let size = String(format: "%6.1f MB", Double(text.utf8.count) / 1_048_576)
    print(String(format: "%-9d", n) + " \(size)  \(ms(write))  \(ms(read))  \(ms(mermaid))  \(ms(dotTime))  \(nop.map(ms) ?? "   (no nop)")  \(ratio)")
    _ = mmd
}
// One step of a single word with no space (a pasted hash, a URL): the text diagram breaks it at
// every line, and once looked along the rest of the word at each break (quadratic: 9 s at 160k).
print("text diagram of one word without spaces")
for n in [10_000, 100_000, 1_000_000] {
    let flow = try FlowMarkdownReader.read("## Paste\n\n1. " + String(repeating: "a", count: n) + "\n").flow
    print(String(format: "  %9d letters", n) + "  \(ms(best(of: 1) { _ = TextDiagram.write(flow, width: 80) }))")
}
// Importing outlines: a bulleted one (use cases of 10 steps, every other step with a condition
// and an ending) and a use-case template in Cockburn's layout (one use case, labelled extensions),
// whose labels are looked up as its lines come. (`FlowBench import`: this part alone.)
func importBench() {
print("import an outline            bulleted     Cockburn template")
for n in [1_000, 10_000, 100_000] {
    var bulleted = ""
    for i in 0..<n {
        if i % 10 == 0 { bulleted += "* Use case \(i / 10)\n" }
        bulleted += "- \(i % 10 + 1). Clerk does thing \(i)\n"
        if i % 2 == 0 { bulleted += "  - [Thing \(i) fails] System says so\n  - Resume at \(i % 10 + 1)\n" }
    }
    var template = "Use case: One long process\nMain success scenario:\n"
    for i in 1...n { template += "\(i). Clerk does thing \(i).\n" }
    template += "Extensions:\n"
    for i in stride(from: 1, through: n, by: 2) { template += "\(i)a. Thing \(i) fails:\n    \(i)a1. System says so.\n    \(i)a2. Resume at \(i).\n" }
    let a = best(of: n >= 100_000 ? 1 : 3) { _ = try? OutlineImporter.read(bulleted) }
    let b = best(of: n >= 100_000 ? 1 : 3) { _ = try? OutlineImporter.read(template) }
    print(String(format: "  %7d steps", n) + "          \(ms(a))  \(ms(b))")
}
}
importBench()
try EditorBench.run()
try SuggestBench.run()
print(String(format: "peak memory (VmHWM): %.1f MiB", peakRSSMiB()))
