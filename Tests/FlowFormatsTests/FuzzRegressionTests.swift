import FlowCore
import FlowFormats
import Foundation
import TestSupport
import Testing

/// Replays the fuzz seeds (Fuzz/corpus) and every input that once failed a harness
/// (Fuzz/regressions) through the `.flow.md` reader and the outline importer, checking what the
/// harnesses in Fuzz/ check (Fuzz/README.md). Each input runs in a child process, so an input
/// that crashes fails its own test instead of ending the run. A file named `known-…` shows a
/// known, unfixed property failure: it must fail the property (exit 3) without crashing; when it
/// passes, the bug is fixed and the file is renamed without `known-`.
@Suite struct FuzzRegressionTests {
    @Test(arguments: fuzzInputs("FlowReader"))
    func flowReaderInput(_ path: String) async {
        await replayInChild("FlowReader", path)
    }

    @Test(arguments: fuzzInputs("Outline"))
    func outlineInput(_ path: String) async {
        await replayInChild("Outline", path)
    }

    @Test func everyHarnessHasSeeds() {
        #expect(fuzzInputs("FlowReader").count >= 10)
        #expect(fuzzInputs("Outline").count >= 10)
    }
}

// MARK: Inputs and child processes

/// Paths, from the repository root, of the seeds and regressions of one harness (dot files left out).
private func fuzzInputs(_ harness: String) -> [String] {
    ["Fuzz/corpus/\(harness)", "Fuzz/regressions/\(harness)"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }
}

/// Replays one input in a child process: exit 0 when every property holds, 3 when one fails.
private func replayInChild(_ harness: String, _ path: String) async {
    let known = (path as NSString).lastPathComponent.hasPrefix("known-")
    let passed = await #expect(
        processExitsWith: known ? .exitCode(propertyFailed) : .success,
        "\(path)\(known ? ": a known property failure, expected to exit 3; exit 0 means it is fixed: rename the file without \"known-\"" : "")"
    ) { [harness = harness as String, path = path as String] in
        replay(harness, try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
    }
    guard passed == nil, !known else { return }
    // Once more, to show what the child wrote: the property's message, or the crash.
    let failed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        [harness = harness as String, path = path as String] in
        replay(harness, try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
    }
    if let failed { Issue.record("\(path):\n\(String(decoding: failed.standardErrorContent, as: UTF8.self).suffix(3000))") }
}

private func replay(_ harness: String, _ data: Data) {
    switch harness {
    case "FlowReader": replayFlowReader(data)
    case "Outline": replayOutline(data)
    default: fail("no harness \(harness)")
    }
}

private let propertyFailed: CInt = 3

private func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("fuzz property failed: " + message + "\n").utf8))
    exit(propertyFailed)
}

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fail(message()) }
}

/// The number of Unicode scalars on each line, split as the readers split (CRLF, CR, LF), without a leading BOM.
private func scalarLineLengths(_ text: String) -> [Int] {
    var lengths = [0]
    var afterCR = false
    var first = true
    for u in text.unicodeScalars {
        defer { first = false }
        if first && u == "\u{FEFF}" { continue }
        if afterCR && u == "\n" { afterCR = false; continue }
        afterCR = u == "\r"
        if u == "\n" || u == "\r" { lengths.append(0) } else { lengths[lengths.count - 1] += 1 }
    }
    return lengths
}

private func checkInside(_ p: SourcePosition, _ lines: [Int], _ what: String) {
    check(p.line >= 1 && p.line <= lines.count, "\(what): line \(p.line) is outside 1…\(lines.count)")
    check(p.column >= 1 && p.column <= lines[p.line - 1] + 1,
          "\(what): column \(p.column) is outside line \(p.line) (\(lines[p.line - 1]) characters)")
}

// MARK: The properties (as in Fuzz/FlowReader.swift and Fuzz/Outline.swift)

/// `read` refuses with an error inside the text, or gives a flow that survives writing and reading;
/// `readAll` agrees with it.
private func replayFlowReader(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let lines = scalarLineLengths(text)
    let file = "input.flow.md"
    var thrown: FormatError?
    var readFlow: Flow?
    do {
        let parsed = try FlowMarkdownReader.read(text, file: file)
        readFlow = parsed.flow
        for (id, position) in parsed.sourceMap.nodes {
            check(parsed.flow.contains(id), "the source map names node \(id), which is not in the flow")
            checkInside(position, lines, "node \(id)")
        }
        for (_, position) in parsed.sourceMap.endings { checkInside(position, lines, "an ending") }
        let written = FlowMarkdownWriter.write(parsed.flow)
        guard let again = try? FlowMarkdownReader.read(written) else {
            fail("the canonical text of a flow that was read does not read back\n--- written:\n\(written)")
        }
        check(withoutUnresolvedTargets(again.flow, like: parsed.flow) == withoutUnresolvedTargets(parsed.flow, like: parsed.flow),
              "read(write(flow)) != flow\n--- written:\n\(written)\n--- rewritten:\n\(FlowMarkdownWriter.write(again.flow))")
        _ = parsed.flow.validate()
        _ = MermaidWriter.write(parsed.flow, direction: .LR)
        _ = DotWriter.write(parsed.flow)
    } catch {
        thrown = error
        check(error.file == file, "the error lost its file name: \(error)")
        checkInside(error.position, lines, "the error \"\(error.message)\"")
    }

    let (all, errors) = FlowMarkdownReader.readAll(text, file: file)
    for e in errors {
        check(e.file == file, "readAll: an error lost its file name: \(e)")
        checkInside(e.position, lines, "readAll: the error \"\(e.message)\"")
    }
    check(zip(errors, errors.dropFirst()).allSatisfy { ($0.position.line, $0.position.column) <= ($1.position.line, $1.position.column) },
          "readAll: errors out of order: \(errors)")
    check(errors.first == thrown, "read threw \(thrown.map(String.init(describing:)) ?? "nothing"), readAll's first error is \(errors.first.map(String.init(describing:)) ?? "none")")
    if errors.isEmpty {
        check(all.flow == readFlow, "readAll and read give different flows")
    } else {
        for limit in 1...3 {
            let (_, first) = FlowMarkdownReader.readAll(text, file: file, limit: limit)
            check(first == Array(errors.prefix(limit)), "readAll(limit: \(limit)) gives \(first), not the first of \(errors)")
        }
        _ = all.flow.validate()
        _ = FlowMarkdownWriter.write(all.flow)
    }
}

/// The flow with the text of every `Resume at` target that names no step set aside: the writer
/// keeps such a target as written less the characters that cannot stand raw in a line, and the
/// reader trims it again; only whether it names a step is compared.
private func withoutUnresolvedTargets(_ flow: Flow, like original: Flow) -> Flow {
    var out = flow
    for (id, node) in original.nodes {
        guard case .resume(.unresolved) = node.ending, case .resume(.unresolved) = flow[id]?.ending else { continue }
        out.setEnding(.resume(.unresolved("?")), of: id)
    }
    return out
}

/// The importer refuses with an error inside the text, or gives a flow with every node placed in
/// the text that survives `.flow.md`.
private func replayOutline(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let lines = scalarLineLengths(text)
    let parsed: ParsedFlow
    do {
        parsed = try OutlineImporter.readWithPositions(text, file: "input.txt")
    } catch {
        check(error.file == "input.txt", "the error lost its file name: \(error)")
        checkInside(error.position, lines, "the error \"\(error.message)\"")
        check((try? OutlineImporter.read(text)) == nil, "read accepts what readWithPositions refuses")
        return
    }
    check((try? OutlineImporter.read(text)) == parsed.flow, "read and readWithPositions disagree")
    for id in parsed.flow.nodes.keys {
        guard let position = parsed.sourceMap.nodes[id] else { fail("node \(id) has no source position") }
        checkInside(position, lines, "node \(id)")
    }
    let written = FlowMarkdownWriter.write(parsed.flow)
    guard let again = try? FlowMarkdownReader.read(written) else {
        fail("the imported flow's .flow.md text does not read\n--- written:\n\(written)")
    }
    // Ids follow the order nodes were added in, which need not be document order: compare renumbered.
    check(again.flow.renumbered() == parsed.flow.renumbered(), "the imported flow does not survive .flow.md\n--- written:\n\(written)")
    _ = parsed.flow.validate()
}
