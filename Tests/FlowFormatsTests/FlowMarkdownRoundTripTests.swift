import FlowCore
import FlowFormats
import TestSupport
import Testing

@Suite struct FlowMarkdownRoundTripTests {
    @Test func randomFlowsSurviveWriteAndRead() throws {
        for seed in 0..<1500 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let flow = RandomFlow.make(&rng)
            let text = FlowMarkdownWriter.write(flow)
            let parsed: ParsedFlow
            do {
                parsed = try FlowMarkdownReader.read(text)
            } catch {
                Issue.record("seed \(seed): \(error)\n\(text)")
                return
            }
            if parsed.flow != flow {
                Issue.record("seed \(seed): read(write(flow)) != flow\n\(text)\n---\n\(FlowMarkdownWriter.write(parsed.flow))")
                return
            }
            #expect(FlowMarkdownWriter.write(parsed.flow) == text, "seed \(seed): not canonical")
        }
    }

    /// A field keeps the separator its file had (a fullwidth colon, no space, more blanks), so a
    /// save rewrites none of the user's text; a field flowsmith makes is written canonically.
    @Test func fieldSeparatorsAreWrittenBackAsRead() throws {
        let text = """
            ## 系统登录

            - 主要参与者：客服人员
            - 目标： 客服人员进入系统
            - Goal:The clerk signs in
            - Trigger:  The clerk opens the page
            - Scope:\tCRM
            - 前置条件：
            - Level:

            1. 用户填写用户名、密码

            """
        var flow = try FlowMarkdownReader.read(text).flow
        let uc = flow.useCases[0]
        let fields = try #require(flow[uc]?.fields)
        #expect(fields.map(\.separator) == ["：", "： ", ":", ":  ", ":\t", "：", ": "])
        #expect(fields[0] == Field("主要参与者", "客服人员", separator: "："))
        #expect(FlowMarkdownWriter.write(flow) == text)
        // A changed value keeps its separator; a new field gets the canonical one.
        var changed = fields
        changed[0].value = "客户"
        changed.append(Field("Stakeholders", "Bank"))
        try flow.apply(.setFields(uc, changed))
        let written = FlowMarkdownWriter.write(flow)
        #expect(written.contains("\n- 主要参与者：客户\n") && written.hasSuffix("- Level:\n- Stakeholders: Bank\n\n1. 用户填写用户名、密码\n"))
        #expect(try FlowMarkdownReader.read(written).flow == flow)
    }

    @Test func randomFieldSeparatorsSurviveWriteAndRead() throws {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            var flow = RandomFlow.make(&rng)
            for uc in flow.useCases {
                guard let fields = flow[uc]?.fields, !fields.isEmpty else { continue }
                try flow.apply(.setFields(uc, fields.map { f in
                    // An empty value leaves no blanks after the colon (a line has no trailing blanks).
                    let separator = f.value.isEmpty ? rng.pick([": ", "："]) : rng.pick([": ", "：", ":", "： ", ":  ", ":\t"])
                    return Field(f.name, f.value, separator: separator)
                }))
            }
            let text = FlowMarkdownWriter.write(flow)
            let parsed = try FlowMarkdownReader.read(text)
            #expect(parsed.flow == flow, "seed \(seed):\n\(text)")
            #expect(FlowMarkdownWriter.write(parsed.flow) == text, "seed \(seed)")
        }
    }

    @Test func writtenLinesHoldNoRawControlsAndNoTrailingBlanks() {
        for seed in 0..<300 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            let text = FlowMarkdownWriter.write(RandomFlow.make(&rng))
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" })
                #expect(!line.hasSuffix(" "))
            }
        }
    }

    @Test(arguments: Fixtures.files(in: "examples", suffix: ".flow.md") + Fixtures.files(in: "corpus", suffix: ".flow.md")
                     + Fixtures.files(in: "Benchmarks/held-out", suffix: ".flow.md"))
    func bundledFilesAreCanonicalAndClean(_ url: Foundation.URL) throws {
        let text = try Fixtures.text(url)
        let parsed = try FlowMarkdownReader.read(text, file: url.lastPathComponent)
        #expect(FlowMarkdownWriter.write(parsed.flow) == text)
        let problems = parsed.flow.validate()
        #expect(problems.isEmpty, "\(url.lastPathComponent): \(problems.map(\.message))")
        #expect(parsed.flow.useCases.count >= 3)
    }

    @Test func canonicalExampleFromTheSpecRoundTrips() throws {
        let spec = try Fixtures.text(Fixtures.root.appendingPathComponent("docs/FORMAT.md"))
        guard let start = spec.range(of: "```markdown\n"), let end = spec[start.upperBound...].range(of: "```\n") else {
            Issue.record("docs/FORMAT.md has no example")
            return
        }
        let example = String(spec[start.upperBound..<end.lowerBound])
        let parsed = try FlowMarkdownReader.read(example)
        #expect(FlowMarkdownWriter.write(parsed.flow) == example)
        #expect(parsed.flow.validate().isEmpty)
    }
}

import Foundation
