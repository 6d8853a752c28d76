import FlowCore
import FlowDesigner
import FlowFormats
import FlowTerminal
import Foundation
import Glibc
import TestSupport

/// The editor's own figures: first frame on a large file, the cost of one key at 1k and 100k
/// steps (update plus a whole frame), and what a cursor move sends to the terminal.
enum EditorBench {
    static func run() throws {
        print("\neditor (release build)")
        let big = RandomFlow.large(steps: 100_000)
        let path = NSTemporaryDirectory() + "flowbench-100k.flow.md"
        try FlowMarkdownWriter.write(big).write(toFile: path, atomically: true, encoding: .utf8)
        var frame = Screen(width: 0, height: 0)
        let open = best(of: 1) {
            guard let text = try? TextFile.read(path), let parsed = try? FlowMarkdownReader.read(text, file: path) else { return }
            frame = Render.screen(AppState(flow: parsed.flow, path: path, width: 100, height: 30))
        }
        precondition(frame.text.contains("Use case 1"), "the first frame shows the flow")
        print("open a 100,000-step file to its first frame: \(ms(open))")
        try? FileManager.default.removeItem(atPath: path)

        print("one key: update and a whole frame, mean of 200   1,000 steps   100,000 steps")
        let small = RandomFlow.large(steps: 1_000)
        for (name, keys) in [("move down (j)", "j"), ("edit (e x Enter)", "e x Enter"), ("fold (Space)", "Space"),
                             ("add and undo (o y Enter u)", "o y Enter u")] {
            let a = perKey(small, keys)
            let b = perKey(big, keys)
            print("  " + name.padding(toLength: 30, withPad: " ", startingAt: 0) + "\(ms(a))     \(ms(b))")
        }
        try terminalBytes()
    }

    /// Mean time for one round of the keys, on a state that starts mid-flow.
    static func perKey(_ flow: Flow, _ keys: String) -> Duration {
        var s = AppState(flow: flow, path: nil, width: 100, height: 30)
        _ = App.update(&s, .key(.char("G")))
        for _ in 0..<20 { _ = App.update(&s, .key(.char("k"))) }
        let parsed = keys.split(separator: " ").compactMap { Key(name: String($0)) }
        let rounds = 200
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for k in parsed { _ = App.update(&s, .key(k)) }
            _ = Render.screen(s)
            if keys == "Space" { _ = App.update(&s, .key(.char(" "))) }
        }
        return (ContinuousClock.now - start) / rounds
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
        print("bytes sent to the terminal (xterm-256color, 100×30): first frame \(first), cursor one row down \(move)")
    }
}
