import FlowCore
import FlowFormats
import Foundation
import TestSupport
import Testing

@Suite struct ExportTests {
    static func shop() -> Flow {
        var flow = Flow(title: "Shop")
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("Customer enters the card", to: uc)
        flow.addStep("System confirms", to: uc)
        let a = flow.addExtension("Card declined", to: s1)
        flow.addStep("System asks for another card", to: a)
        flow.setEnding(.resume(.step(s1)), of: a)
        flow.addExtension("Bank offline", to: s1, kind: .exception, ending: .failure)
        flow.addUseCase("Empty")
        return flow
    }

    @Test func diagramFollowsTheUseCase() {
        let d = Diagram(Self.shop())
        #expect(d.clusters.map(\.title) == ["Pay", "Empty"])
        #expect(d.clusters[0].nodes.map(\.label) == [
            "1. Customer enters the card", "1a1. System asks for another card", "2. System confirms",
            "1?", "✗ failure", "✓ success",
        ])
        #expect(d.clusters[1].nodes.map(\.shape) == [.empty])
        let edges = d.edges.map { "\($0.from)->\($0.to) \($0.label ?? "") \($0.style)" }
        #expect(edges == [
            "u1n1->u1n1d  normal",
            "u1n1d->u1n3  normal",
            "u1n1d->u1n2 1a. Card declined alternative",
            "u1n2->u1n1  resume",
            "u1n1d->u1e1 1b. Bank offline exception",
            "u1n3->u1e2  normal",
        ])
    }

    @Test func idsNeverComeFromLabels() {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let d = Diagram(RandomFlow.make(&rng))
            for id in d.clusters.flatMap({ [$0.id] + $0.nodes.map(\.id) }) {
                #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(id)")
                #expect(id.first == "u")
            }
        }
    }

    @Test func mermaidQuotesEveryHazard() {
        var flow = Flow()
        let uc = flow.addUseCase("end")
        flow.addStep("say \"hi\" %% <b> #quot; a:b &nbsp;\n  x ", to: uc)
        let text = MermaidWriter.write(flow, direction: .LR)
        #expect(text.hasPrefix("flowchart LR\n"))
        #expect(text.contains("subgraph u1[\"end\"]"))
        #expect(text.contains("u1n1[\"1. say #34;hi#34; #37;#37; #60;b#62; #35;quot#59; a#58;b #38;\u{2060}nbsp#59;<br>#160;#160;x#160;\"]"))
    }

    @Test func dotEscapesQuotesBackslashesAndEntities() {
        var flow = Flow(title: "a \"b\" \\N &amp;")
        let uc = flow.addUseCase("x\ny")
        flow.addStep("\u{1B}[31m", to: uc)
        let text = DotWriter.write(flow)
        #expect(text.contains("label=\"a \\\"b\\\" \\\\N &amp;amp;\""))
        #expect(text.contains("label=\"x\\ny\""))
        #expect(text.contains("\"u1n1\" [label=\"1. \u{241B}[31m\"]"))
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    /// Golden files: the exports of the bundled examples, re-recorded with RECORD_GOLDEN=1.
    @Test(arguments: Fixtures.files(in: "examples", suffix: ".flow.md"))
    func examplesMatchGoldenExports(_ url: URL) throws {
        let flow = try FlowMarkdownReader.read(try Fixtures.text(url)).flow
        let name = url.lastPathComponent.replacingOccurrences(of: ".flow.md", with: "")
        for (ext, text) in [("mmd", MermaidWriter.write(flow)), ("dot", DotWriter.write(flow)), ("robot", RobotWriter.write(flow)),
                            ("txt", TextDiagram.write(flow)), ("ascii.txt", TextDiagram.write(flow, width: 60, ascii: true))] {
            let golden = Fixtures.root.appendingPathComponent("Tests/FlowFormatsTests/Golden/\(name).\(ext)")
            if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: golden, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            #expect(text == expected, "\(golden.lastPathComponent) differs; RECORD_GOLDEN=1 swift test re-records it")
        }
    }

    @Test func twentyThousandStepsExport() {
        let flow = RandomFlow.large(steps: 20_000)
        #expect(flow.stepCount == 20_000)
        #expect(MermaidWriter.write(flow).split(separator: "\n").count > 20_000)
        #expect(DotWriter.write(flow).split(separator: "\n").count > 20_000)
    }

    @Test func dotLabelsAreWrappedWithNothingAddedOrLostButBreaks() {
        #expect(LabelText.wrapped("System shows the items, the quantities and the subtotal.", width: 32)
                == "System shows the items, the\nquantities and the subtotal.")
        #expect(LabelText.wrapped("客服人员填写用户名、密码和图形验证码并提交登录请求。", width: 32)
                == "客服人员填写用户名、密码和图形验\n证码并提交登录请求。")
        #expect(LabelText.wrapped("short", width: 32) == "short")
        #expect(LabelText.wrapped("a Supercalifragilisticexpialidocious-word b", width: 10) == "a\nSupercalifragilisticexpialidocious-word\nb")
        // A closing mark never starts a line; double spaces are no break; written breaks stay.
        #expect(!LabelText.wrapped("一二三四五六七八九十一二三四五六。", width: 32).contains("\n。"))
        #expect(LabelText.wrapped("aaaa  bbbb", width: 5) == "aaaa  bbbb")
        #expect(LabelText.wrapped("ab cd\nef gh", width: 3) == "ab\ncd\nef\ngh")
        var random = SeededRandom(seed: 7)
        let alphabet = Array("ab 中文。，\t\u{1B}&\"\\  x")
        for _ in 0..<2_000 {
            let label = String((0..<random.int(0...79)).map { _ in random.pick(alphabet) })
            let w = random.int(4...33)
            let out = Array(LabelText.wrapped(label, width: w)), original = Array(label)
            // Every difference is a break: one that replaces a single space, or one put in.
            var (i, j) = (0, 0)
            while i < out.count {
                if j < original.count, out[i] == original[j] { i += 1; j += 1; continue }
                #expect(out[i] == "\n", "\(label.debugDescription) at width \(w)")
                if out[i] != "\n" { break }
                if j < original.count, original[j] == " " { j += 1 }
                i += 1
            }
            #expect(j == original.count, "\(label.debugDescription)")
            // A line is over the width only when it holds a single word (no break was allowed in it).
            for line in String(out).split(separator: "\n", omittingEmptySubsequences: false) {
                let shown = String(String.UnicodeScalarView(line.unicodeScalars.map { LabelText.visible($0) }))
                guard DisplayWidth.of(shown) > w else { continue }
                let c = Array(line)
                let spaceBreak = c.indices.contains { k in k > 0 && k + 1 < c.count && c[k] == " " && c[k - 1] != " " && c[k + 1] != " " }
                #expect(!spaceBreak, "\(label.debugDescription) at width \(w): \(line.debugDescription)")
            }
        }
    }

    @Test func aTabShowsAsASpaceAndOtherControlsAsPictures() {
        var flow = Flow(title: "T")
        let uc = flow.addUseCase("Pay")
        flow.addStep("Name\tAmount\u{1B}", to: uc)
        #expect(LabelText.shown("Name\tAmount\u{1B}") == ["Name Amount\u{241B}"])
        // A byte-order mark inside a label is shown, as the C1 controls are; NEL breaks the line.
        #expect(LabelText.shown("a\u{85}b\u{FEFF}c\u{9B}d") == ["a", "b\u{FFFD}c\u{FFFD}d"])
        for text in [MermaidWriter.write(flow), DotWriter.write(flow)] {
            #expect(!text.contains("\u{2409}") && !text.contains("\t"))
            #expect(text.contains("\u{241B}"))
        }
    }

    /// No export carries a character that reorders or hides text in a viewer or a terminal: the
    /// bidirectional controls and the C1 controls of any label are replaced, in every format.
    @Test func noExportCarriesBidiOrC1Controls() {
        var flow = Flow(title: "T\u{202E}itle")
        let uc = flow.addUseCase("Pay \u{2067}rtl\u{2069}")
        let step = flow.addStep("a\u{202E}b\u{202A}c\u{2066}d\u{85}e\u{9B}f", to: uc)
        flow.addStep("System \u{202D}closes\u{202C} it", to: flow.addExtension("cond\u{202B}ition", to: step, kind: .exception))
        let banned = Set((0x202A...0x202E).map { $0 } + (0x2066...0x2069).map { $0 } + (0x80...0x9F).map { $0 })
        for format in ExportFormat.allCases {
            for ascii in [false, true] {
                let text = format.render(flow, ascii: ascii)
                let found = text.unicodeScalars.filter { banned.contains(Int($0.value)) }
                #expect(found.isEmpty, "\(format) ascii \(ascii): \(found.map { String($0.value, radix: 16) })")
            }
        }
    }
}

