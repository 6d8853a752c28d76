// libFuzzer harness for the `.flow.md` reader (Fuzz/README.md; built and run by scripts/fuzz.sh).
//
// `read`: any input must either be refused with a FormatError that points inside the text (line
// and column from 1), or read into a flow whose source map points inside the text and whose
// canonical text reads back to an equal flow (a `Resume at` target that names no step included:
// the writer escapes it so that it reads back exactly). The flow is also validated and exported, as
// `flowsmith check` and `flowsmith export` would do with it.
// `readAll`: its errors point inside the text, in order; its first error is the one `read`
// throws; with a limit it gives the first errors of the full list; without errors it gives
// `read`'s flow. Its flow is validated and written even when there are errors.
// Tests/FlowFormatsTests/FuzzRegressionTests.swift checks the same on the committed inputs.
import FlowCore
import FlowFormats
import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = scalarLineLengths(text)
    let file = "fuzz.flow.md"

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
        do {
            let written = FlowMarkdownWriter.write(parsed.flow)
            let again: ParsedFlow
            do {
                again = try FlowMarkdownReader.read(written)
            } catch {
                fail("the canonical text of a flow that was read does not read back: \(error)\n--- written:\n\(written)")
            }
            check(again.flow == parsed.flow,
                  "read(write(flow)) != flow\n--- written:\n\(written)\n--- rewritten:\n\(FlowMarkdownWriter.write(again.flow))")
        }
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
    check(zip(errors, errors.dropFirst()).allSatisfy { ($0.position.line, $0.position.column) <= ($1.position.line, $1.position.column) }, "readAll: errors out of order: \(errors)")
    check(errors.first == thrown, "read threw \(thrown.map(String.init(describing:)) ?? "nothing"), readAll's first error is \(errors.first.map(String.init(describing:)) ?? "none")")
    if errors.isEmpty {
        check(all.flow == readFlow, "readAll and read give different flows")
    } else {
        let limit = 1 + Int(text.utf8.count % 3)
        let (_, first) = FlowMarkdownReader.readAll(text, file: file, limit: limit)
        check(first == Array(errors.prefix(limit)), "readAll(limit: \(limit)) gives \(first), not the first of \(errors)")
        _ = all.flow.validate()
        _ = FlowMarkdownWriter.write(all.flow)
    }
    return 0
}

/// The number of Unicode scalars on each line, split as the reader splits (CRLF, CR, LF), without a leading BOM.
func scalarLineLengths(_ text: String) -> [Int] {
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

func checkInside(_ p: SourcePosition, _ lines: [Int], _ what: String) {
    check(p.line >= 1 && p.line <= lines.count, "\(what): line \(p.line) is outside 1…\(lines.count)")
    check(p.column >= 1 && p.column <= lines[p.line - 1] + 1,
          "\(what): column \(p.column) is outside line \(p.line) (\(lines[p.line - 1]) characters)")
}

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fail(message()) }
}

func fail(_ message: String) -> Never {
    fatalError("FlowReader fuzz property failed: " + message)
}
