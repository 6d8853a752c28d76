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

    @Test func aTabShowsAsASpaceAndOtherControlsAsPictures() {
        var flow = Flow(title: "T")
        let uc = flow.addUseCase("Pay")
        flow.addStep("Name\tAmount\u{1B}", to: uc)
        #expect(LabelText.shown("Name\tAmount\u{1B}") == ["Name Amount\u{241B}"])
        for text in [MermaidWriter.write(flow), DotWriter.write(flow)] {
            #expect(!text.contains("\u{2409}") && !text.contains("\t"))
            #expect(text.contains("\u{241B}"))
        }
    }
}

