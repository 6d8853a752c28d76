import FlowCore
import FlowFormats
import TestSupport
import Foundation
import Testing

/// The text of a line between two display columns.
private func slice(_ line: String, _ columns: Range<Int>) -> String {
    var out = "", col = 0
    for c in line {
        let w = DisplayWidth.of(c)
        if col >= columns.lowerBound && col + w <= columns.upperBound { out.append(c) }
        col += w
    }
    return out
}

/// Every step's label, read back out of its box (its lines joined, the number and borders
/// dropped), spaces aside, is the label: wrapped inside the box, never cut.
private func expectLabelsInTheirBoxes(_ flow: Flow, width: Int, ascii: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
    for uc in flow.useCases {
        let d = TextDiagram.draw(flow, useCase: uc, width: width, ascii: ascii)
        for line in d.lines { #expect(DisplayWidth.of(line) <= max(width, TextDiagram.minimumWidth), "\(line)", sourceLocation: sourceLocation) }
        for id in flow.descendants(of: uc) where flow[id]?.kind == .step {
            guard let box = d.boxes[id] else {
                Issue.record("step \(flow.number(of: id) ?? "?") not drawn", sourceLocation: sourceLocation)
                continue
            }
            let inner = (box.columns.lowerBound + 1)..<(box.columns.upperBound - 1)
            let text = d.lines[(box.rows.lowerBound + 1)..<(box.rows.upperBound - 1)].map { slice($0, inner) }.joined()
            let number = (flow.number(of: id) ?? "") + "."
            let want = number + LabelText.shown(flow[id]?.text ?? "").joined(separator: " ")
            let bare = { (s: String) in String(String.UnicodeScalarView(s.unicodeScalars.filter { $0 != " " && $0 != "\u{2502}" && $0 != "|" })) }
            #expect(bare(text) == bare(want), "\(number)", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct TextDiagramTests {
    static let shop = """
        # Shop

        ## Pay for an order

        1. Customer chooses to pay.
        2. System asks the payment provider to charge the card.
           - 2a. The card is declined:
             1. System asks for another card.
             - Resume at 2.
           - 2b. [exception] The provider does not answer:
             - End: failure.
        3. System confirms the order.
           - 3a. The customer wants a receipt:
             1. System sends the receipt.
             - End: success.

        """

    @Test func drawsBoxesDecisionsEndsAndResumeArrows() throws {
        let flow = try FlowMarkdownReader.read(Self.shop).flow
        let d = TextDiagram.draw(flow, useCase: flow.useCases[0], width: 70)
        let text = d.lines.joined(separator: "\n")
        #expect(d.lines[0] == "Use case 1: Pay for an order")
        #expect(text.contains("◆─▶ 2a. The card is declined"))
        #expect(text.contains("├─▶ 2b. [exception] The provider does not answer"))
        #expect(text.contains("✗ failure") && text.contains("✓ success") && text.contains("↩ resume at 2"))
        // The resume arrow leaves its marker and enters step 2's box.
        let step2 = try #require(flow.node(numbered: "2", in: flow.useCases[0]))
        let two = try #require(d.boxes[step2])
        let arrowRow = d.lines[two.rows.lowerBound + 1]
        #expect(arrowRow.contains("│◀─"))
        let marker = try #require(d.lines.firstIndex { $0.contains("↩ resume at 2 ─") })
        #expect(marker > two.rows.upperBound)
        // Every box is where `boxes` says: its corners are there.
        for (_, box) in d.boxes where d.lines[box.rows.lowerBound].contains("┌") {
            #expect(slice(d.lines[box.rows.lowerBound], box.columns).hasPrefix("┌"))
            #expect(slice(d.lines[box.rows.upperBound - 1], box.columns).hasPrefix("└"))
        }
        // The main scenario ends in success after step 3.
        #expect(d.lines.last { !$0.isEmpty }?.filter { $0 != " " } == "✓success")
    }

    @Test func asciiUsesOnlyASCII() throws {
        for url in Fixtures.files(in: "examples", suffix: ".flow.md") {
            let flow = try FlowMarkdownReader.read(try Fixtures.text(url)).flow
            let text = TextDiagram.write(flow, width: 60, ascii: true)
            // The labels themselves stay as they are (Chinese too), and so do the words of a
            // Chinese document ("回到第2步", "成功"); only the drawing is ASCII.
            var drawing = text
            let w = flow.effectiveWording
            let words = w == .english ? [] : ["用例 1：", w.resumeAt("1"), w.onTo("1"), w.success, w.failure, w.exceptionMarker, "（没有这一步）"]
            let labels = flow.documentOrder().map { flow[$0]?.text ?? "" } + [flow.title] + words
            for c in Set(labels.joined()) where !c.isASCII { drawing = drawing.replacingOccurrences(of: String(c), with: "") }
            let nonASCII = drawing.unicodeScalars.filter { !$0.isASCII }
            #expect(nonASCII.isEmpty, "\(url.lastPathComponent): \(String(String.UnicodeScalarView(nonASCII)))")
        }
    }

    @Test(arguments: [24, 29, 40, 80, 200])
    func labelsWrapInsideTheirBoxesAtAnyWidth(_ width: Int) throws {
        for url in Fixtures.files(in: "examples", suffix: ".flow.md") {
            expectLabelsInTheirBoxes(try FlowMarkdownReader.read(try Fixtures.text(url)).flow, width: width)
        }
    }

    @Test func adversarialLabelsAreDrawnWhole() throws {
        var flow = Flow(title: "T")
        let uc = flow.addUseCase("Labels")
        for label in ["系统登录查询客户信息：ID、姓名、手机号、邮箱用户填写用户名密码必填项目", "😀 emoji 👩‍💻 family 🇨🇳 flag",
                      "é combining at end", "\u{301} combining first", "tab\there", "line\nbreak", "\u{1B}]0;PWNED\u{07}",
                      String(repeating: "x", count: 300), "a  b   c", "│ pipes │ ─ and ┼ boxes", "   "] {
            flow.addStep(label, to: uc)
        }
        for width in [24, 33, 80] { expectLabelsInTheirBoxes(flow, width: width) }
        let text = TextDiagram.write(flow)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test func deepNestingAndHugeUseCasesStayBounded() {
        var flow = Flow(title: "Deep")
        let uc = flow.addUseCase("Deep")
        var parent = flow.addStep("top", to: uc)
        for i in 0..<1_000 {
            let ext = flow.addExtension("condition \(i)", to: parent)
            parent = flow.addStep("step \(i)", to: ext)
        }
        let d = TextDiagram.draw(flow, useCase: uc, width: 80)
        #expect(d.lines.contains { $0.contains("…") })
        let big = RandomFlow.large(steps: 5_000)
        let limited = TextDiagram.draw(big, useCase: big.useCases[0], width: 60, limit: 100)
        #expect(limited.boxes.count <= 200)
        #expect(limited.lines.contains { $0.contains("more steps not drawn here") } || big.children(of: big.useCases[0]).count < 100)
    }
}

@Suite struct RobotWriterTests {
    @Test func cellsAreEscapedByRobotsRules() {
        #expect(RobotWriter.cell("  a   b\tc  ") == "a b c")
        #expect(RobotWriter.cell("${x} @{y} &{z} %{HOME} $x") == "\\${x} \\@{y} \\&{z} \\%{HOME} $x")
        #expect(RobotWriter.cell("# not a comment") == "\\# not a comment")
        #expect(RobotWriter.cell("... more") == "\\... more")
        #expect(RobotWriter.cell("| pipe") == "\\| pipe")
        #expect(RobotWriter.cell("IF") == "\\IF" && RobotWriter.cell("If") == "If")
        #expect(RobotWriter.cell("back\\slash") == "back\\\\slash")
        #expect(RobotWriter.cell("a=b", argument: true) == "a\\=b" && RobotWriter.cell("a=b") == "a=b")
        #expect(RobotWriter.cell("no\u{A0}break\u{3000}ideographic") == "no\\u00A0break\\u3000ideographic")
        #expect(RobotWriter.cell("") == "${EMPTY}" && RobotWriter.cell("   ") == "${EMPTY}")
        #expect(RobotWriter.cell("系统登录") == "系统登录")
    }

    @Test func namesStayDistinctAndTheSameStepIsOneKeyword() throws {
        var flow = Flow(title: "T")
        let uc = flow.addUseCase("Same")
        flow.addStep("System logs in.", to: uc)
        flow.addStep("System_logs in", to: uc)
        flow.addStep("System logs in.", to: uc)
        flow.addStep("", to: uc)
        let text = RobotWriter.write(flow)
        let keywords = text.components(separatedBy: "*** Keywords ***")[1].split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.isEmpty }
        #expect(keywords == ["System logs in", "System_logs in (2)", "Step 4"])
        let task = text.components(separatedBy: "*** Tasks ***")[1].components(separatedBy: "*** Keywords ***")[0]
        #expect(task.contains("    System logs in\n    System_logs in (2)\n    System logs in\n    Step 4\n"))
    }
}

@Suite struct TextDiagramGoldenTests {
    /// Every adversarial label of the peer tests as a step, every third with an extension on the
    /// condition side too, drawn at 60 columns: re-recorded with RECORD_GOLDEN=1.
    @Test func adversarialLabelsDrawing() throws {
        let url = Fixtures.root.appendingPathComponent("Tests/peers/adversarial_labels.json")
        let labels = try JSONDecoder().decode([String].self, from: Data(try Fixtures.text(url).utf8))
        var flow = Flow(title: "Adversarial labels")
        let uc = flow.addUseCase("Every label")
        for (i, label) in labels.enumerated() {
            let step = flow.addStep(label, to: uc)
            if i % 3 == 0 {
                let ext = flow.addExtension(label, to: step)
                flow.addStep(label, to: ext)
            }
        }
        for (name, text) in [("adversarial-labels.txt", TextDiagram.write(flow, width: 60)),
                             ("adversarial-labels.ascii.txt", TextDiagram.write(flow, width: 60, ascii: true))] {
            let golden = Fixtures.root.appendingPathComponent("Tests/FlowFormatsTests/Golden/\(name)")
            if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
                try text.write(to: golden, atomically: true, encoding: .utf8)
            }
            #expect(text == (try String(contentsOf: golden, encoding: .utf8)), "\(name) differs; RECORD_GOLDEN=1 swift test re-records it")
        }
        expectLabelsInTheirBoxes(flow, width: 60)
        expectLabelsInTheirBoxes(flow, width: 60, ascii: true)
    }
}

/// The one wrapping of text to terminal columns, used by the text diagram and the editor's panes.
@Suite struct WrapTests {
    @Test func wrapsAtSpacesByColumnsAndKeepsEveryCharacter() {
        #expect(DisplayWidth.wrap("System sends the confirmation", 12) == ["System sends", "the", "confirmation"])
        // Chinese has no spaces: a run fills each line; two columns a character.
        #expect(DisplayWidth.wrap("系统发送确认短信给客户", 8) == ["系统发送", "确认短信", "给客户"])
        // A closing mark never starts a line: the character before it comes along.
        #expect(DisplayWidth.wrap("系统保存记录。", 12) == ["系统保存记", "录。"])
        #expect(DisplayWidth.wrap("保存记录，并通知", 8) == ["保存记", "录，并通", "知"])
        // A word longer than `whole` fills the line it starts on instead of moving whole.
        #expect(DisplayWidth.wrap("Ask verylong", 10, whole: 5) == ["Ask verylo", "ng"])
        #expect(DisplayWidth.wrap("Ask verylong", 10) == ["Ask", "verylong"])
        // A Latin word inside Chinese text moves to the next line whole when it fits there.
        let mixed = DisplayWidth.wrap("系统调用SSO单点登录接口（Single Sign-On）校验", 30)
        #expect(mixed == ["系统调用SSO单点登录接口（", "Single Sign-On）校验"], "\(mixed)")
        #expect(DisplayWidth.wrap("调用SSO接口", 5) == ["调用", "SSO接", "口"])
        // A full line takes no trailing space before a long run.
        for line in DisplayWidth.wrap("abcd 系统发送确认短信", 4) { #expect(DisplayWidth.of(line) <= 4, "\(line)") }
        #expect(DisplayWidth.wrap("anything", 0).isEmpty)
        let text = "客户经理 提交 a very-long-identifier-without-spaces 和 审批意见。"
        for width in 1...20 {
            let lines = DisplayWidth.wrap(text, width)
            #expect(lines.joined().filter { $0 != " " } == text.filter { $0 != " " })
            #expect(lines.allSatisfy { DisplayWidth.of($0) <= max(width, 2) })
        }
    }
}
