import FlowCore
import FlowDesigner
import FlowFormats
import FlowTerminal
import Foundation
import TestSupport
import Testing

/// docs/RELIABILITY.md, hostile input: huge files, huge labels and deep nesting neither crash nor
/// overflow a stack, on the loop's thread or on a worker's small one.
@Suite struct HostileInputTests {
    /// Runs `body` on a thread with a 512 KiB stack (a worker's size), and waits for it.
    static func onSmallStack(_ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        return done.wait(timeout: .now() + 300) == .success
    }

    /// step → extension → step → extension …, `depth` extensions deep, each ending differently.
    static func nested(_ depth: Int) -> Flow {
        var flow = Flow(title: "Deep")
        let uc = flow.addUseCase("Nested 嵌套")
        var step = flow.addStep("Top step", to: uc)
        let top = step
        for i in 0..<depth {
            let ext = flow.addExtension("Condition \(i) 条件", to: step, kind: i % 3 == 0 ? .exception : .alternative)
            flow.setEnding(i % 4 == 0 ? .failure : i % 4 == 1 ? .success : .resumeNext, of: ext)
            step = flow.addStep("Step at depth \(i)", to: ext)
        }
        _ = top
        flow.addStep("Second step", to: uc)   // after the chain, so ids follow document order as a reader's do
        return flow
    }

    @Test func extensionsNestedAThousandDeep() {
        let finished = Self.onSmallStack {
            let flow = Self.nested(1_000)
            let text = FlowMarkdownWriter.write(flow)
            let back = FlowMarkdownReader.readAll(text)
            #expect(back.1.isEmpty)
            #expect(back.0.flow == flow)
            _ = flow.validate()
            #expect(MermaidWriter.write(flow).hasPrefix("flowchart"))
            #expect(DotWriter.write(flow).hasPrefix("digraph"))
            let order = flow.documentOrder()
            let deepest = order[order.count - 2]
            #expect(flow.number(of: deepest)?.count ?? 0 > 1_000)
            // The editor: go to the deepest row, draw, delete the whole chain and undo it.
            var s = AppState(flow: flow, path: "deep.flow.md", width: 80, height: 24)
            for k in "Gk" { _ = App.update(&s, .key(.char(k))) }
            #expect(s.cursor == deepest)
            _ = App.update(&s, .key(.char("v")))
            _ = Render.screen(s)
            for k in "gjdd" { _ = App.update(&s, .key(.char(k))) }
            #expect(s.flow.stepCount == 1)
            _ = App.update(&s, .key(.char("u")))
            #expect(s.flow == flow)
            _ = Render.screen(s)
        }
        #expect(finished)
    }

    @Test func aTenThousandCharacterLabel() throws {
        let long = String(String(repeating: "很长的标签 with words ", count: 600).prefix(10_000))
        #expect(long.count == 10_000)
        var flow = Flow(title: long)
        let uc = flow.addUseCase(long)
        let step = flow.addStep(long, to: uc)
        flow.addExtension(long, to: step)
        let back = try FlowMarkdownReader.read(FlowMarkdownWriter.write(flow)).flow
        #expect(back == flow)
        #expect(MermaidWriter.write(flow).count > 10_000 && DotWriter.write(flow).count > 10_000)
        for (w, h) in [(80, 24), (40, 12)] {
            var s = AppState(flow: flow, path: "long.flow.md", width: w, height: h)
            for k in ["j", "v", "e", "End"] { _ = App.update(&s, .key(Key(name: k)!)) }
            let screen = Render.screen(s)
            #expect(screen.text.split(separator: "\n").allSatisfy { DisplayWidth.of($0) <= w })
            _ = App.update(&s, .key(.enter))
            #expect(s.flow == flow)
        }
    }

    @Test func aTenMegabyteFileOfOneHundredThousandSteps() throws {
        var flow = RandomFlow.large(steps: 100_000)
        // Longer labels, to reach 10 MB.
        for (i, uc) in flow.useCases.prefix(400).enumerated() { _ = try? flow.apply(.setText(uc, "\(i) " + String(repeating: "标题", count: 2_000))) }
        let bytes = Array(FlowMarkdownWriter.write(flow).utf8)
        #expect(bytes.count >= 10_000_000)
        let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes)
        #expect(errors.isEmpty && parsed.flow.stepCount == 100_000)
        #expect(parsed.flow.validate().isEmpty)
        let d = Driver(parsed.flow, path: "big.flow.md", width: 100, height: 30)
        d.keys("G v k k dd u")
        #expect(d.screen.contains("Diagram · t shows its source"))
        // The pane scrolled to the step under the cursor, far down its use case.
        #expect(d.screen.contains("│ \(parsed.flow.number(of: d.state.cursor!)!). "))
    }
}
