// libFuzzer harness for the outline importer (Fuzz/README.md; built and run by scripts/fuzz.sh).
//
// Any input must either be refused with a FormatError that points inside the text, or become a
// flow in which every node has a source position inside the text, whose `.flow.md` text reads back
// to an equal flow. `read` and `readWithPositions` must agree.
import FlowCore
import FlowFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = scalarLineLengths(text)
    let parsed: ParsedFlow
    do {
        parsed = try OutlineImporter.readWithPositions(text, file: "fuzz.txt")
    } catch {
        check(error.file == "fuzz.txt", "the error lost its file name: \(error)")
        checkInside(error.position, lines, "the error \"\(error.message)\"")
        check((try? OutlineImporter.read(text)) == nil, "read accepts what readWithPositions refuses")
        return 0
    }
    check((try? OutlineImporter.read(text)) == parsed.flow, "read and readWithPositions disagree")
    for id in parsed.flow.nodes.keys {
        guard let position = parsed.sourceMap.nodes[id] else { fail("node \(id) has no source position") }
        checkInside(position, lines, "node \(id)")
    }
    let written = FlowMarkdownWriter.write(parsed.flow)
    do {
        let again = try FlowMarkdownReader.read(written)
        // Ids follow the order nodes were added in, which need not be document order: compare renumbered.
        check(again.flow.renumbered() == parsed.flow.renumbered(), "the imported flow does not survive .flow.md\n--- written:\n\(written)")
    } catch {
        fail("the imported flow's .flow.md text does not read: \(error)\n--- written:\n\(written)")
    }
    _ = parsed.flow.validate()
    return 0
}

/// The number of Unicode scalars on each line, split as the importer splits (CRLF, CR, LF), without a leading BOM.
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
    fatalError("Outline fuzz property failed: " + message)
}
