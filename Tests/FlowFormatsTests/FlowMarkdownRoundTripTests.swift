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

    @Test(arguments: Fixtures.files(in: "examples", suffix: ".flow.md") + Fixtures.files(in: "corpus", suffix: ".flow.md"))
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
