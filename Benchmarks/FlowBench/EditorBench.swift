import FlowCore
import FlowDesigner
import FlowFormats
import FlowTerminal
import Foundation
import Glibc
import TestSupport

/// The editor's own figures, one row for each target of docs/ARCHITECTURE.md's performance table:
/// `flowsmith check` at 1k/10k/100k steps, the first frame of a 100k-step file, one key plus a
/// frame (p50 and p99) at 1k and 100k, how long Ctrl-S takes to say "Saved" at 100k (and how long
/// the key itself holds the loop), the editor's peak memory on a 100k-step file (measured in a
/// child process that opens it as `flowsmith FILE` does), and what a cursor move sends to the terminal.
enum EditorBench {
    static func run() throws {
        print("\neditor (release build)                       figure        target")
        let dir = NSTemporaryDirectory() + "flowbench-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var files: [Int: String] = [:]
        for n in [1_000, 10_000, 100_000] {
            let path = dir + "/\(n).flow.md"
            try FlowMarkdownWriter.write(RandomFlow.large(steps: n)).write(toFile: path, atomically: true, encoding: .utf8)
            files[n] = path
        }
        for n in [1_000, 10_000, 100_000] {
            guard let path = files[n] else { continue }
            var problems = -1
            let t = best(of: n >= 100_000 ? 3 : 5) {
                guard let bytes = try? TextFile.readUTF8(path) else { return }
                let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes, file: path, limit: 51)
                problems = errors.count + parsed.flow.validate().count
            }
            precondition(problems == 0, "the benchmark flow checks clean")
            row("check, \(n.formatted()) steps (read, parse, validate)", ms(t), n == 100_000 ? "≤ 300 ms" : "")
        }
        guard let bigPath = files[100_000] else { return }
        // As `flowsmith FILE` opens a large file: its head is drawn, the whole is read on a worker.
        var frame = Screen(width: 0, height: 0)
        var first = Duration.seconds(1000), whole = Duration.seconds(1000)
        for _ in 0..<3 {
            let start = ContinuousClock.now
            guard let bytes = try? TextFile.readUTF8(bigPath), let cut = FlowMarkdownReader.headCut(bytes, after: 256 << 10) else { break }
            let (head, _) = FlowMarkdownReader.readAll(bytes: Array(bytes[..<cut]), file: bigPath, limit: 51)
            let d = Driver(head.flow, path: bigPath, width: 100, height: 30)
            d.loop.startLoading(path: bigPath, bytes: bytes)
            d.loop.draw()
            frame = d.device.last ?? frame
            first = min(first, ContinuousClock.now - start)
            d.loop.settle(timeout: .seconds(60))
            precondition(d.state.loading == nil && d.state.flow.stepCount == 100_000)
            whole = min(whole, ContinuousClock.now - start)
        }
        precondition(frame.text.contains("Use case 1"), "the first frame shows the flow")
        row("first frame of a 100,000-step file", ms(first), "≤ 100 ms")
        row("  the whole file read, behind it", ms(whole), "")

        let big = try FlowMarkdownReader.read(TextFile.read(bigPath)).flow
        let small = RandomFlow.large(steps: 1_000)
        let a = keySamples(small)
        let b = keySamples(big)
        row("one key + frame, 1,000 steps: p50 / p99", "\(us(a.p50)) / \(us(a.p99))", "")
        row("one key + frame, 100,000 steps: p50 / p99", "\(us(b.p50)) / \(us(b.p99))", "p99 ≤ 1 ms")
        let detail = keySamples(big, detail: true)
        row("  with the detail pane: p50 / p99", "\(us(detail.p50)) / \(us(detail.p99))", "p99 ≤ 1 ms")

        let search = searchLatency(big)
        row("search, 100,000 steps: / … Enter (kept)", ms(search.kept), "")
        row("  n to the next match: p50 / max", "\(us(search.nextP50)) / \(us(search.nextMax))", "")
        row("  a letter typed that matches nothing", ms(search.miss), "")

        let (saved, held) = saveLatency(big, path: dir + "/save.flow.md")
        row("Ctrl-S to \"Saved\", 100,000 steps", ms(saved), "≤ 500 ms")
        row("  the loop held by the Ctrl-S key itself", ms(held), "keys keep working")
        if let mib = childPeakMemory(bigPath) {
            row("editor peak memory, 100,000-step file", String(format: "%6.1f MiB", mib), "≤ 64 MiB")
        }
        try TerminalBench.run()
        try terminalBytes()
    }

    static func row(_ what: String, _ figure: String, _ target: String) {
        print("  " + what.padding(toLength: 43, withPad: " ", startingAt: 0) + figure.padding(toLength: 22, withPad: " ", startingAt: 0) + target)
    }

    static func us(_ d: Duration) -> String { String(format: "%.3f ms", seconds(d) * 1000) }

    /// One key and the frame after it, for a mix of what people press most: moves, pages, folds,
    /// edits and undo. Returns the 50th and 99th percentile over all samples.
    static func keySamples(_ flow: Flow, detail: Bool = false) -> (p50: Duration, p99: Duration) {
        var s = AppState(flow: flow, path: nil, width: 100, height: 30)
        _ = App.update(&s, .key(.char("G")))
        for _ in 0..<20 { _ = App.update(&s, .key(.char("k"))) }
        if detail {
            for case .run(.detail(let flow, let key)) in App.update(&s, .key(.char("v"))) {
                _ = App.update(&s, .detailComputed(Detail.compute(flow, key)))
            }
        }
        let script = ProcessInfo.processInfo.environment["FLOWBENCH_KEYS"] ?? "j j k Space Space PageDown PageUp e x Enter o y Enter u j l h"
        let keys = script.split(separator: " ").compactMap { Key(name: String($0)) }
        var samples: [Duration] = []
        for _ in 0..<60 {
            for k in keys {
                let start = ContinuousClock.now
                let effects = App.update(&s, .key(k))
                let mid = ContinuousClock.now
                _ = Render.screen(s)
                samples.append(ContinuousClock.now - start)
                if ContinuousClock.now - start > .milliseconds(2), ProcessInfo.processInfo.environment["FLOWBENCH_SLOWEST"] != nil {
                    print("slow \(k): update \(us(mid - start)) render \(us(ContinuousClock.now - mid)) effects \(effects.count)")
                }
                // What a worker does meanwhile, outside the loop's time (as the runner would).
                for case .run(.detail(let flow, let key)) in effects {
                    _ = App.update(&s, .detailComputed(Detail.compute(flow, key)))
                }
            }
        }
        if ProcessInfo.processInfo.environment["FLOWBENCH_SLOWEST"] != nil {
            let named = zip(samples, (0..<samples.count).map { keys[$0 % keys.count] }).sorted { $0.0 > $1.0 }
            print("slowest:", named.prefix(12).map { "\($0.1)=\(us($0.0))" }.joined(separator: " "))
        }
        samples.sort()
        return (samples[samples.count / 2], samples[samples.count * 99 / 100])
    }

    /// A search kept with Enter (it counts the matches), n thirty times (each with its frame), and a
    /// letter typed that matches nothing (the whole flow walked).
    static func searchLatency(_ flow: Flow) -> (kept: Duration, nextP50: Duration, nextMax: Duration, miss: Duration) {
        var s = AppState(flow: flow, path: nil, width: 100, height: 30)
        func press(_ k: Key) -> Duration {
            let start = ContinuousClock.now
            _ = App.update(&s, .key(k))
            _ = Render.screen(s)
            return ContinuousClock.now - start
        }
        _ = press(.char("/"))
        for c in "corrects" { _ = press(.char(c)) }
        let kept = press(.enter)
        var next = (0..<30).map { _ in press(.char("n")) }.sorted()
        _ = press(.char("/"))
        for c in "zebr" { _ = press(.char(c)) }
        let miss = press(.char("a"))
        _ = press(.escape)
        next.sort()
        return (kept, next[next.count / 2], next.last ?? .zero, miss)
    }

    /// Through the real loop: Ctrl-S, then wait for the worker's "Saved".
    static func saveLatency(_ flow: Flow, path: String) -> (saved: Duration, held: Duration) {
        let d = Driver(flow, path: path)
        d.keys("j o").type("one more step").keys("Enter")
        let start = ContinuousClock.now
        d.device.queue([.key(.ctrl("s"))])
        d.loop.process(d.device.readEvents())
        let held = ContinuousClock.now - start
        d.loop.settle(timeout: .seconds(120))
        precondition(d.state.message?.text.hasPrefix("Saved") == true, "saved: \(String(describing: d.state.message))")
        return (ContinuousClock.now - start, held)
    }

    /// Runs `FlowBench open FILE` (what `flowsmith FILE` does up to its first frame) and reads its VmHWM.
    static func childPeakMemory(_ path: String) -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        p.arguments = ["open", path]
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The child's side: open the file as the editor does, draw the first frame, print VmHWM in MiB.
    static func openAndReport(_ path: String) {
        guard let bytes = try? TextFile.readUTF8(path) else { return }
        let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes, file: path, limit: 51)
        precondition(errors.isEmpty)
        let d = Driver(parsed.flow, path: path, width: 100, height: 30)
        d.keys("j")
        precondition(d.screen.contains("Use case 1"))
        print(String(format: "%.1f", peakRSSMiB()))
    }

    /// Bytes ncurses writes for the first frame and for moving the cursor one row.
    static func terminalBytes() throws {
        let file = NSTemporaryDirectory() + "flowbench-tty.out"
        guard let out = fopen(file, "w") else { return }
        let device = NcursesDevice(recordingTo: out, width: 100, height: 30)
        var s = AppState(flow: RandomFlow.large(steps: 1_000), path: "bench.flow.md", width: 100, height: 30)
        device.present(Render.screen(s))
        fflush(out)
        let first = ftell(out)
        _ = App.update(&s, .key(.char("j")))
        device.present(Render.screen(s))
        fflush(out)
        let move = ftell(out) - first
        device.stop()
        fclose(out)
        try? FileManager.default.removeItem(atPath: file)
        print("  bytes sent to the terminal (xterm-256color, 100×30): first frame \(first), cursor one row down \(move)")
    }
}
