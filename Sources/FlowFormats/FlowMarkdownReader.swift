import FlowCore

/// Reads `.flow.md` text (docs/FORMAT.md) into a flow, with a source map. Lenient about what a
/// person writes by hand (indentation widths, tabs, numbering, line ends); anything outside the
/// grammar is a `FormatError` that says where and what was expected.
public enum FlowMarkdownReader {
    /// Reads a whole file; throws its first error (see `readAll` for every error).
    public static func read(_ text: String, file: String? = nil) throws(FormatError) -> ParsedFlow {
        let (parsed, errors) = readAll(text, file: file, limit: 1)
        if let first = errors.first { throw first }
        return parsed
    }

    /// Reads as much as it can: after a mistake it goes on at the next heading or list item that
    /// is not nested under the faulty one, so one run of `flowsmith check` lists every mistake.
    /// Stops collecting after `limit` errors (the flow is then incomplete). The flow is only
    /// meaningful when there are no errors.
    public static func readAll(_ text: String, file: String? = nil, limit: Int = .max) -> (ParsedFlow, [FormatError]) {
        var builder = TreeBuilder()
        var errors: [FormatError] = []
        let blocks = Block.scan(SourceLine.split(text), errors: { errors.append($0) })
        var treeErrors = 0
        // The indentation under a faulty list item: what is nested under it is skipped with it.
        var skipping: Int?
        for block in blocks where treeErrors < limit {
            if let depth = skipping {
                if !isHeading(block) && block.indent > depth { continue }
                skipping = nil
            }
            do {
                try builder.add(block)
            } catch {
                errors.append(error)
                treeErrors += 1
                if !isHeading(block) { skipping = block.indent }
            }
        }
        builder.finishUseCase()
        errors.sort { ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column) }
        let found = errors.prefix(limit).map { e in
            var e = e
            e.file = file
            return e
        }
        return (ParsedFlow(flow: builder.flow, sourceMap: builder.map), found)
    }

    private static func isHeading(_ b: Block) -> Bool {
        if case .heading = b.kind { return true }
        return false
    }
}

/// A heading or a list item with its continuation lines joined, the unit the tree is built from.
struct Block {
    enum Kind: Equatable { case heading(level: Int), ordered, bullet }

    let kind: Kind
    let position: SourcePosition
    let indent: Int
    var text: [Unicode.Scalar]
    var textColumn: Int

    static func scan(_ lines: [SourceLine], errors: (FormatError) -> Void) -> [Block] {
        var blocks: [Block] = []
        for line in lines where !line.isBlank {
            let (indent, start) = line.indentation
            if let block = parse(line, indent: indent, start: start) {
                blocks.append(block)
            } else if indent > 0, var last = blocks.last, last.kind != .heading(level: 1),
                      !isHeading(last), indent > last.indent {
                last.text = last.text.trimmingTrailingBlanks() + [" "] + Array(line.scalars[start...]).trimmingTrailingBlanks()
                blocks[blocks.count - 1] = last
            } else {
                errors(FormatError(
                    SourcePosition(line: line.number, column: start + 1),
                    blocks.isEmpty || indent == 0
                        ? "expected a use case heading (\"## Title\"), a field (\"- Name: value\") or a numbered step (\"1. …\")"
                        : "this line is not a list item and is not indented under one"))
            }
        }
        return blocks
    }

    private static func isHeading(_ b: Block) -> Bool {
        if case .heading = b.kind { return true }
        return false
    }

    /// Recognises a heading (at column 1 only) or a list item; nil for other text.
    private static func parse(_ line: SourceLine, indent: Int, start: Int) -> Block? {
        let s = line.scalars
        let pos = SourcePosition(line: line.number, column: start + 1)
        var i = start
        if start == 0, s.first == "#" {
            while i < s.count, s[i] == "#" { i += 1 }
            guard i <= 6, i == s.count || s[i] == " " || s[i] == "\t" else { return nil }
            let level = i
            let textStart = skipBlanks(s, from: i)
            return Block(kind: .heading(level: level), position: pos, indent: 0,
                         text: headingText(Array(s[textStart...])), textColumn: textStart + 1)
        }
        let kind: Kind
        if i < s.count, s[i] == "-" || s[i] == "*" || s[i] == "+" {
            kind = .bullet
            i += 1
        } else {
            while i < s.count, s[i].isASCIIDigit, i - start < 9 { i += 1 }
            guard i > start, i < s.count, s[i] == "." || s[i] == ")" else { return nil }
            kind = .ordered
            i += 1
        }
        guard i == s.count || s[i] == " " || s[i] == "\t" else { return nil }
        let textStart = skipBlanks(s, from: i)
        return Block(kind: kind, position: pos, indent: indent,
                     text: Array(s[textStart...]).trimmingTrailingBlanks(), textColumn: textStart + 1)
    }

    private static func skipBlanks(_ s: [Unicode.Scalar], from i: Int) -> Int {
        var j = i
        while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
        return j
    }

    /// Heading text without an optional closing run of `#` (CommonMark).
    private static func headingText(_ raw: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var t = raw.trimmingTrailingBlanks()
        var end = t.count
        while end > 0, t[end - 1] == "#" { end -= 1 }
        if end < t.count, end == 0 || t[end - 1] == " " || t[end - 1] == "\t" {
            t = Array(t[..<end]).trimmingTrailingBlanks()
        }
        return t
    }
}

/// Builds the flow from blocks, keeping a stack of the open list items by indentation.
private struct TreeBuilder {
    enum Open { case step(NodeID), ext(NodeID), field, ending }

    var flow = Flow()
    var map = SourceMap()
    var stack: [(indent: Int, item: Open)] = []
    var useCase: NodeID?
    var sawHeading = false
    /// `Resume at` lines of the current use case, resolved once all its steps exist.
    var resumes: [(ext: NodeID, target: String, position: SourcePosition)] = []

    mutating func add(_ block: Block) throws(FormatError) {
        switch block.kind {
        case .heading(let level):
            try heading(level, block)
        case .ordered, .bullet:
            while let top = stack.last, top.indent >= block.indent { stack.removeLast() }
            try item(block)
        }
    }

    private mutating func heading(_ level: Int, _ block: Block) throws(FormatError) {
        let text = MarkdownText.unescape(block.text)
        switch level {
        case 1 where !sawHeading:
            flow.title = text
        case 1:
            throw FormatError(block.position, "the flow title (\"# …\") must be the first line; use \"## …\" for a use case")
        case 2:
            finishUseCase()
            let id = flow.addUseCase(text)
            map.nodes[id] = block.position
            useCase = id
        default:
            throw FormatError(block.position, "only \"# flow title\" and \"## use case\" headings are allowed, found a level-\(level) heading")
        }
        sawHeading = true
        stack.removeAll()
    }

    private mutating func item(_ block: Block) throws(FormatError) {
        guard let uc = useCase else {
            throw FormatError(block.position, "a list item before any use case: add a \"## Use case title\" line above it")
        }
        switch (stack.last?.item, block.kind) {
        case (nil, .ordered):
            push(block, .step(addStep(block, to: uc)))
        case (nil, _):
            guard flow.children(of: uc).isEmpty else {
                throw FormatError(block.position, "fields (\"- Name: value\") go before the first step of the use case")
            }
            try addField(block, to: uc)
            push(block, .field)
        case (.step(let step)?, .bullet):
            push(block, .ext(addExtension(block, to: step)))
        case (.step?, _):
            throw FormatError(block.position, "a step cannot hold steps directly; add an extension line first, e.g. \"- 3a. condition:\"")
        case (.ext(let ext)?, .ordered):
            push(block, .step(addStep(block, to: ext)))
        case (.ext(let ext)?, _):
            try addEnding(block, to: ext)
            push(block, .ending)
        case (.field?, _), (.ending?, _):
            throw FormatError(block.position, "nothing can be nested under a field or an ending line")
        }
    }

    private mutating func push(_ block: Block, _ item: Open) { stack.append((block.indent, item)) }

    private mutating func addStep(_ block: Block, to parent: NodeID) -> NodeID {
        let id = flow.addStep(MarkdownText.unescape(block.text), to: parent)
        map.nodes[id] = block.position
        return id
    }

    private mutating func addField(_ block: Block, to uc: NodeID) throws(FormatError) {
        let t = block.text
        var i = 0
        while i < t.count, t[i] != ":" && t[i] != "：" {
            i += t[i] == "\\" ? 2 : 1
        }
        guard i < t.count, i > 0 else {
            throw FormatError(block.position, "expected a field \"- Name: value\" (fields come before the steps)")
        }
        var valueStart = i + 1
        while valueStart < t.count, t[valueStart] == " " || t[valueStart] == "\t" { valueStart += 1 }
        let name = MarkdownText.unescape(t[..<i])
        flow.addField(Field(Field.canonicalName(name), MarkdownText.unescape(t[valueStart...])), to: uc)
    }

    private mutating func addExtension(_ block: Block, to step: NodeID) -> NodeID {
        var t = block.text[...]
        // Optional label: digits and letters alternating, ending in a letter, then "." and a blank.
        var j = t.startIndex
        while j < t.endIndex, t[j].isASCIIDigit || ("a"..."z").contains(t[j]) { j += 1 }
        if j > t.startIndex, t[t.startIndex].isASCIIDigit, !t[j - 1].isASCIIDigit, j < t.endIndex, t[j] == ".",
           j + 1 == t.endIndex || t[j + 1] == " " || t[j + 1] == "\t" {
            t = t[(j + 1)...].drop { $0 == " " || $0 == "\t" }
        }
        var kind = ExtensionKind.alternative
        for k in ExtensionKind.allCases {
            let marker = Array("[\(k.rawValue)]".unicodeScalars)
            if t.count >= marker.count, zip(t.prefix(marker.count), marker).allSatisfy({ Self.lower($0) == $1 }) {
                kind = k
                t = t.dropFirst(marker.count).drop { $0 == " " || $0 == "\t" }
                break
            }
        }
        if let last = t.last, last == ":" || last == "：", !Self.isEscaped(t, at: t.endIndex - 1) { t = t.dropLast() }
        let id = flow.addExtension(MarkdownText.unescape(t), to: step, kind: kind)
        map.nodes[id] = block.position
        return id
    }

    private mutating func addEnding(_ block: Block, to ext: NodeID) throws(FormatError) {
        if map.endings[ext] != nil {
            throw FormatError(block.position, "this extension already has an ending line")
        }
        var written = String(String.UnicodeScalarView(block.text))
        if written.hasSuffix(".") { written.removeLast() }
        let words = written.lowercased()
        let ending: Ending
        if words == "end: success" || words == "end:success" {
            ending = .success
        } else if words == "end: failure" || words == "end:failure" {
            ending = .failure
        } else if words.hasPrefix("resume at ") {
            var target = written.dropFirst("resume at ".count).drop { $0 == " " }
            if target.lowercased().hasPrefix("step ") { target = target.dropFirst(5).drop { $0 == " " } }
            guard !target.isEmpty else {
                throw FormatError(block.position, "\"Resume at\" needs a step number, e.g. \"- Resume at 3.\"")
            }
            resumes.append((ext, String(target), block.position))
            ending = .resume(.unresolved(String(target)))
        } else {
            throw FormatError(block.position, "expected an ending: \"- Resume at N.\", \"- End: success.\" or \"- End: failure.\" (or a numbered step)")
        }
        flow.setEnding(ending, of: ext)
        map.endings[ext] = block.position
    }

    /// Resolves the `Resume at` targets of the use case just finished, by step number.
    mutating func finishUseCase() {
        if let uc = useCase {
            for r in resumes {
                if let target = flow.node(numbered: r.target.lowercased(), in: uc), flow[target]?.kind == .step {
                    flow.setEnding(.resume(.step(target)), of: r.ext)
                }
            }
        }
        resumes.removeAll()
    }

    static func lower(_ u: Unicode.Scalar) -> Unicode.Scalar {
        (u >= "A" && u <= "Z") ? Unicode.Scalar(u.value + 32) ?? u : u
    }

    /// True when the character at `i` is preceded by an odd number of backslashes.
    static func isEscaped(_ t: ArraySlice<Unicode.Scalar>, at i: Int) -> Bool {
        var n = 0
        var j = i - 1
        while j >= t.startIndex, t[j] == "\\" { n += 1; j -= 1 }
        return n % 2 == 1
    }
}
