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
        readAll(bytes: Array(text.utf8), file: file, limit: limit)
    }

    /// Where to cut a large file so that its head holds whole use cases: the start of the first
    /// `## ` line at or after `bytes` bytes; nil when the file is not much larger than that.
    /// Reading the head gives the same ids as reading the whole file (ids are handed out in
    /// document order), so the editor can show the head at once and swap in the whole flow later.
    public static func headCut(_ bytes: [UInt8], after size: Int) -> Int? {
        guard bytes.count > size * 2 else { return nil }
        var i = size
        while i + 3 < bytes.count {
            if (bytes[i - 1] == 0x0A || bytes[i - 1] == 0x0D), bytes[i] == UInt8(ascii: "#"), bytes[i + 1] == UInt8(ascii: "#"),
               bytes[i + 2] == 0x20 || bytes[i + 2] == 0x09 {
                return i
            }
            i += 1
        }
        return nil
    }

    /// `readAll` over UTF-8 bytes (as `TextFile.readUTF8` returns them). Without `positions`
    /// the source map holds only the endings (the editor, which needs no more, saves the memory).
    public static func readAll(bytes: [UInt8], file: String? = nil, limit: Int = .max, positions: Bool = true) -> (ParsedFlow, [FormatError]) {
        var builder = TreeBuilder()
        builder.keepPositions = positions
        var errors: [FormatError] = []
        var treeErrors = 0
        // The indentation under a faulty list item: what is nested under it is skipped with it.
        var skipping: Int?
        Block.scan(ByteLines(bytes: bytes), errors: { errors.append($0) }, emit: { block in
            guard treeErrors < limit else { return }
            if let depth = skipping {
                if !Block.isHeading(block) && block.indent > depth { return }
                skipping = nil
            }
            do throws(FormatError) {
                try builder.add(block)
            } catch {
                errors.append(error)
                treeErrors += 1
                if !Block.isHeading(block) { skipping = block.indent }
            }
        })
        builder.finishUseCase()
        errors.sort { ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column) }
        let found = errors.prefix(limit).map { e in
            var e = e
            e.file = file
            return e
        }
        return (ParsedFlow(flow: builder.flow, sourceMap: builder.map), found)
    }

}

/// The file's bytes and the lines in them. All of the grammar's marks are ASCII, so the reader
/// works on UTF-8 bytes and makes a `String` only for each label: a 100,000-step file is read in
/// one pass with no per-line arrays (docs/ARCHITECTURE.md, performance).
struct ByteLines {
    let bytes: [UInt8]

    /// Calls `body` with each line's number and byte range (CRLF, CR and LF end lines; a leading
    /// byte-order mark is skipped).
    func forEach(_ body: (Int, Range<Int>) throws(FormatError) -> Void) throws(FormatError) {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var start = i
        var number = 1
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A || b == 0x0D {
                try body(number, start..<i)
                number += 1
                i += (b == 0x0D && i + 1 < n && bytes[i + 1] == 0x0A) ? 2 : 1
                start = i
            } else {
                i += 1
            }
        }
        if start < n { try body(number, start..<n) }
    }
}

/// A heading or a list item with its continuation lines joined, the unit the tree is built from.
struct Block {
    enum Kind: Equatable { case heading(level: Int), ordered, bullet }

    let kind: Kind
    let position: SourcePosition
    let indent: Int
    /// The text after the marker, trailing blanks removed (a view into the file's bytes, or the
    /// joined lines of an item that continues on the next lines).
    var text: ArraySlice<UInt8>

    /// The text as Unicode scalars, for the rarer lines (fields, extensions) parsed scalar by scalar.
    var scalars: [Unicode.Scalar] { Array(String(decoding: text, as: UTF8.self).unicodeScalars) }

    static func isBlank(_ b: ArraySlice<UInt8>) -> Bool { b.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// Visual indentation (a tab advances to the next multiple of 4) and where the content starts.
    static func indentation(_ b: ArraySlice<UInt8>) -> (width: Int, start: Int) {
        var width = 0
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] == 0x20 { width += 1 } else if b[i] == 0x09 { width += 4 - width % 4 } else { break }
            i += 1
        }
        return (width, i - b.startIndex)
    }

    /// Scans the lines into blocks, handing each to `emit` once it is complete; a line that is
    /// neither is reported to `errors` and skipped.
    static func scan(_ lines: ByteLines, errors: (FormatError) -> Void, emit: (Block) -> Void) {
        var pending: Block?
        let bytes = lines.bytes
        try? lines.forEach { (number: Int, range: Range<Int>) throws(FormatError) in
            let line = bytes[range]
            if isBlank(line) { return }
            let (indent, offset) = indentation(line)
            if let block = parse(line, number: number, indent: indent, start: offset) {
                if let p = pending { emit(p) }
                pending = block
            } else if let found = slip(line[(line.startIndex + offset)...]) {
                // A slip of a Chinese keyboard is said where it is, before a deeper line could be
                // taken as the text above it going on ("1.系统提示。" under "- 2a. 缺货："); the
                // line is then read as what it was meant to be, so that nothing after it is
                // wrongly said to be out of place.
                errors(FormatError(SourcePosition(line: number, column: offset + found.column + 1), found.message))
                if let (kind, textStart) = found.meant {
                    if let p = pending { emit(p) }
                    let rest = line[(line.startIndex + offset + textStart)...]
                    pending = Block(kind: kind, position: SourcePosition(line: number, column: offset + 1),
                                    indent: isHeadingKind(kind) ? 0 : indent, text: trimmingTrailingBlanks(rest))
                }
            } else if indent > 0, var last = pending, last.kind != .heading(level: 1), !isHeading(last), indent > last.indent {
                var joined = Array(trimmingTrailingBlanks(last.text))
                joined.append(0x20)
                joined += trimmingTrailingBlanks(line[(line.startIndex + offset)...])
                last.text = joined[...]
                pending = last
            } else if let written = badStepNumber(line[(line.startIndex + offset)...]) {
                errors(FormatError(
                    SourcePosition(line: number, column: offset + 1),
                    "\"\(written)\" is not a step number: steps are numbered \"1.\", \"2.\" … (an extension's steps too, indented under its \"- 2a. condition:\" line)"))
            } else {
                errors(FormatError(
                    SourcePosition(line: number, column: offset + 1),
                    pending == nil || indent == 0
                        ? "expected a use case heading (\"## Title\"), a field (\"- Name: value\") or a numbered step (\"1. …\")"
                        : "this line is not a list item and is not indented under one"))
            }
        }
        if let p = pending { emit(p) }
    }

    /// A line that would be a heading, a list item or a step but for a slip a Chinese keyboard
    /// makes: a fullwidth "＃", "－", "１" or "．", a fullwidth space, or no space after the mark
    /// ("1.客户", "##客户", "-目标：…"). The column (from 0) of the slip and what to type instead.
    static func slip(_ s: ArraySlice<UInt8>) -> (column: Int, message: String, meant: (Kind, Int)?)? {
        let text = String(decoding: s, as: UTF8.self)
        let chars = Array(text.prefix(12))
        guard let first = chars.first else { return nil }
        // Where the text starts after `i` characters and any blanks, in bytes (the block's text).
        func bytes(after i: Int) -> Int {
            var j = i
            while j < chars.count, chars[j] == " " || chars[j] == "\t" || chars[j] == "\u{3000}" { j += 1 }
            return String(chars[..<j]).utf8.count
        }
        // Columns are counted in characters, as an editor shows them.
        func fullwidth(_ c: Character) -> Bool { c.unicodeScalars.first.flatMap { Fullwidth.ascii($0) } != nil }
        // Not a Chinese keyboard's slips, but as common in a shared file: what git leaves where
        // two people changed the same lines, and characters no editor shows.
        for marker in ["<<<<<<<", "|||||||", "=======", ">>>>>>>"] where text.hasPrefix(marker) {
            let rest = text.dropFirst(marker.count)
            if rest.isEmpty || rest.first == " " {
                return (0, "an unresolved merge conflict (git's \"\(marker)\" line): keep what you want of both sides "
                        + "and delete the marker lines (<<<<<<<, =======, >>>>>>>)", nil)
            }
        }
        if let u = text.unicodeScalars.first, let name = ["\u{FEFF}": "a byte-order mark (U+FEFF)", "\u{200B}": "a zero-width space (U+200B)",
                                                          "\u{2060}": "a word joiner (U+2060)", "\u{200C}": "a zero-width non-joiner (U+200C)",
                                                          "\u{200D}": "a zero-width joiner (U+200D)"][u] {
            return (0, "the line starts with \(name), which no editor shows: delete it", nil)
        }
        if first == "\u{3000}" {
            // Indented with fullwidth spaces: a mark after them says the line meant to be indented.
            let after = chars.drop { $0 == "\u{3000}" || $0 == " " || $0 == "\t" }.first
            if let after, "#-*+0123456789".contains(after) || fullwidth(after) {
                return (0, "indented with fullwidth spaces (\"　\"): indent with ASCII spaces", nil)
            }
            return (0, "\"　\" is a fullwidth space: the marks of a heading (\"## \"), a field (\"- \") and a step (\"1. \") start a line or follow ASCII spaces", nil)
        }
        if let u = first.unicodeScalars.first, let halfwidth = Fullwidth.ascii(u) {
            let ascii = String(Character(halfwidth))
            if "#-*+0123456789".contains(ascii) {
                // Read as what it was meant to be: "＃＃ 标题" a heading, "１．" a step, "－ " a bullet.
                var meant: (Kind, Int)?
                var j = 1
                if ascii == "#" {
                    while j < chars.count, chars[j] == "＃" { j += 1 }
                    if j <= 2 { meant = (.heading(level: j), bytes(after: j)) }
                } else if ascii.first!.isNumber {
                    while j < chars.count, chars[j].isNumber { j += 1 }
                    if j < chars.count, "．.。、".contains(chars[j]) { meant = (.ordered, bytes(after: j + 1)) }
                } else {
                    meant = (.bullet, bytes(after: 1))
                }
                return (0, "\"\(first)\" is a fullwidth character: the marks of a heading (\"## \"), a field (\"- \") and a step (\"1. \") are typed in ASCII, with an ASCII space after them", meant)
            }
        }
        var i = 0
        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
        let mark: Int
        let kind: Kind
        if i > 0 {
            guard i < chars.count else { return nil }
            if chars[i] == "．" || chars[i] == "。" || chars[i] == "、" {
                return (i, "\"\(String(chars[..<i]))\(chars[i])\" is not a step number: steps are numbered \"\(String(chars[..<i])). \" (an ASCII full stop and a space)",
                        (.ordered, bytes(after: i + 1)))
            }
            guard chars[i] == "." || chars[i] == ")" else { return nil }
            (mark, kind) = (i + 1, .ordered)
        } else if first == "#" {
            var j = 0
            while j < chars.count, chars[j] == "#" { j += 1 }
            guard j <= 2 else { return nil }
            (mark, kind) = (j, .heading(level: j))
        } else if first == "-" || first == "*" || first == "+" {
            (mark, kind) = (1, .bullet)
        } else {
            return nil
        }
        guard mark < chars.count else { return nil }
        let written = String(chars[..<mark])
        if chars[mark] == "\u{3000}" {
            return (mark, "a fullwidth space after \"\(written)\": type an ASCII space there", (kind, bytes(after: mark)))
        }
        // No space at all: only where what follows is text (not "1.2.", "---" or "**bold**"); a
        // bullet may run into an extension's label ("-2a. 缺货：").
        let next = chars[mark]
        if !next.isWhitespace, next.isLetter || (kind == .bullet && next.isASCII && next.isNumber), !(first == "*" && next == "*") {
            return (mark, "put a space after \"\(written)\" (\"\(written) \(String(chars[mark...]))…\")", (kind, bytes(after: mark)))
        }
        return nil
    }

    static func isHeadingKind(_ kind: Kind) -> Bool {
        if case .heading = kind { return true }
        return false
    }

    /// What a line that starts like a numbered step but is not one wrote as its number ("2x.",
    /// "3a1.", "1.2."): digits, then letters or digits or dots, ending in "." or ")" before a space.
    static func badStepNumber(_ s: ArraySlice<UInt8>) -> String? {
        var i = s.startIndex
        guard i < s.endIndex, (0x30...0x39).contains(s[i]) else { return nil }
        // A short label ("1a.", "2.1.") or a number of any length ("99999999999999999999.").
        var digitsOnly = true
        while i < s.endIndex, i - s.startIndex < 12 || digitsOnly && i - s.startIndex < 200 {
            digitsOnly = digitsOnly && (0x30...0x39).contains(s[i])
            let c = s[i]
            if (c == UInt8(ascii: ".") || c == UInt8(ascii: ")")) && (i + 1 == s.endIndex || s[i + 1] == 0x20) {
                return i > s.startIndex ? String(decoding: s[s.startIndex...i], as: UTF8.self) : nil
            }
            guard (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == UInt8(ascii: ".") else { return nil }
            i += 1
        }
        return nil
    }

    static func isHeading(_ b: Block) -> Bool {
        if case .heading = b.kind { return true }
        return false
    }

    /// Recognises a heading (at column 1 only) or a list item; nil for other text.
    private static func parse(_ s: ArraySlice<UInt8>, number: Int, indent: Int, start: Int) -> Block? {
        let pos = SourcePosition(line: number, column: start + 1)
        let base = s.startIndex
        var i = base + start
        let end = s.endIndex
        if start == 0, s[base] == UInt8(ascii: "#") {
            while i < end, s[i] == UInt8(ascii: "#") { i += 1 }
            guard i - base <= 6, i == end || s[i] == 0x20 || s[i] == 0x09 else { return nil }
            let level = i - base
            return Block(kind: .heading(level: level), position: pos, indent: 0, text: headingText(s[skipBlanks(s, from: i)...]))
        }
        let kind: Kind
        if i < end, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "*") || s[i] == UInt8(ascii: "+") {
            kind = .bullet
            i += 1
        } else {
            let digits = i
            while i < end, (0x30...0x39).contains(s[i]), i - digits < 9 { i += 1 }
            guard i > digits, i < end, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ")") else { return nil }
            kind = .ordered
            i += 1
        }
        guard i == end || s[i] == 0x20 || s[i] == 0x09 else { return nil }
        return Block(kind: kind, position: pos, indent: indent, text: trimmingTrailingBlanks(s[skipBlanks(s, from: i)...]))
    }

    private static func skipBlanks(_ s: ArraySlice<UInt8>, from i: Int) -> Int {
        var j = i
        while j < s.endIndex, s[j] == 0x20 || s[j] == 0x09 { j += 1 }
        return j
    }

    static func trimmingTrailingBlanks(_ t: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = t.endIndex
        while end > t.startIndex, t[end - 1] == 0x20 || t[end - 1] == 0x09 { end -= 1 }
        return t[..<end]
    }

    /// Heading text without an optional closing run of `#` (CommonMark).
    private static func headingText(_ raw: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var t = trimmingTrailingBlanks(raw)
        var end = t.endIndex
        while end > t.startIndex, t[end - 1] == UInt8(ascii: "#") { end -= 1 }
        if end < t.endIndex, end == t.startIndex || t[end - 1] == 0x20 || t[end - 1] == 0x09 {
            t = trimmingTrailingBlanks(t[..<end])
        }
        return t
    }
}

extension MarkdownText {
    /// `unescape` for UTF-8 bytes; text with no `\` and no `&` (nearly every label) is taken as it is.
    static func unescape(bytes: ArraySlice<UInt8>) -> String {
        if !bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "&") }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return unescape(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    }
}

/// Builds the flow from blocks, keeping a stack of the open list items by indentation.
struct TreeBuilder {
    enum Open { case step(NodeID), ext(NodeID), field, ending }

    var flow = Flow()
    var map = SourceMap()
    var keepPositions = true
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
        let text = MarkdownText.unescape(bytes: block.text)
        switch level {
        case 1 where !sawHeading:
            flow.title = text
        case 1:
            throw FormatError(block.position, "the flow title (\"# …\") must be the first line; use \"## …\" for a use case")
        case 2:
            finishUseCase()
            let id = flow.addUseCase(text)
            if keepPositions { map.nodes[id] = block.position }
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
            // The ending is the extension's last line: a step after it would be moved before it.
            guard map.endings[ext] == nil else {
                throw FormatError(block.position, "a step after the extension's ending line: the ending (\"- Resume at N.\", \"- End: …\") is its last line; move the step above it")
            }
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
        let id = flow.addStep(MarkdownText.unescape(bytes: block.text), to: parent)
        if keepPositions { map.nodes[id] = block.position }
        return id
    }

    private mutating func addField(_ block: Block, to uc: NodeID) throws(FormatError) {
        let t = block.scalars
        var i = 0
        while i < t.count, t[i] != ":" && t[i] != "：" {
            i += t[i] == "\\" ? 2 : 1
        }
        guard i < t.count, i > 0 else {
            throw FormatError(block.position, i == 0 && !t.isEmpty ? "a field needs a name before its colon, e.g. \"- Goal: …\""
                              : "expected a field \"- Name: value\" (fields come before the steps)")
        }
        var valueStart = i + 1
        while valueStart < t.count, t[valueStart] == " " || t[valueStart] == "\t" { valueStart += 1 }
        let name = MarkdownText.unescape(t[..<i])
        // The colon and blanks as written, to be written back so. Without a value the line's
        // trailing blanks are gone: ":" then reads as the canonical ": ".
        var separator = String(String.UnicodeScalarView(t[i..<valueStart]))
        if valueStart == t.count && t[i] == ":" { separator = Field.canonicalSeparator }
        flow.addField(Field(Field.canonicalName(name), MarkdownText.unescape(t[valueStart...]), separator: separator), to: uc)
    }

    private mutating func addExtension(_ block: Block, to step: NodeID) -> NodeID {
        var t = block.scalars[...]
        // Optional label: digits and letters alternating, ending in a letter, then "." or ":" and
        // a blank — or the fullwidth "．", "：" or "、" a Chinese keyboard types, blank or not
        // ("３ａ．没有可用的处理人：" has its label read as "3a").
        var j = t.startIndex
        while j < t.endIndex, case let c = Fullwidth.halfwidth(t[j]), c.isASCIIDigit || ("a"..."z").contains(c) { j += 1 }
        if j > t.startIndex, Fullwidth.halfwidth(t[t.startIndex]).isASCIIDigit, !Fullwidth.halfwidth(t[j - 1]).isASCIIDigit,
           j < t.endIndex {
            let after = j + 1 == t.endIndex || t[j + 1] == " " || t[j + 1] == "\t"
            if (t[j] == "." || t[j] == ":") && after {
                t = t[(j + 1)...].drop { $0 == " " || $0 == "\t" }
            } else if t[j] == "．" || t[j] == "：" || t[j] == "、"
                        || t[j] == "." && j + 1 < t.endIndex && (t[j + 1] == "\u{3000}" || !t[j + 1].isASCII && t[j + 1].properties.isAlphabetic) {
                // (Also "2a.　缺货" and "2c.缺货": a fullwidth space, or none before Chinese.)
                t = t[(j + 1)...].drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
            }
        }
        var kind = ExtensionKind.alternative
        for (written, k, wording) in Self.markers {
            let marker = Array(written.unicodeScalars)
            if t.count >= marker.count, zip(t.prefix(marker.count), marker).allSatisfy({ Self.lower($0) == $1 }) {
                kind = k
                if flow.wording == nil, k == .exception { flow.wording = wording }
                t = t.dropFirst(marker.count).drop { $0 == " " || $0 == "\t" }
                break
            }
        }
        if let last = t.last, last == ":" || last == "：", !Self.isEscaped(t, at: t.endIndex - 1) {
            // A fullwidth colon after the condition is Chinese wording too (an ASCII one says
            // nothing: it is what a keyboard without Chinese input types).
            if last == "：", flow.wording == nil { flow.wording = .chinese }
            t = t.dropLast()
        }
        let id = flow.addExtension(MarkdownText.unescape(t), to: step, kind: kind)
        if keepPositions { map.nodes[id] = block.position }
        return id
    }

    /// The kind markers an extension line may start with (lower case), with the wording each is.
    static let markers: [(String, ExtensionKind, Wording)] = [
        ("[exception]", .exception, .english), ("[alternative]", .alternative, .english),
        ("[异常]", .exception, .chinese), ("【异常】", .exception, .chinese), ("［异常］", .exception, .chinese),
    ]

    private mutating func addEnding(_ block: Block, to ext: NodeID) throws(FormatError) {
        if map.endings[ext] != nil {
            throw FormatError(block.position, "this extension already has an ending line")
        }
        var written = String(decoding: block.text, as: UTF8.self)
        if written.hasSuffix(".") || written.hasSuffix("。") { written.removeLast() }
        let words = written.lowercased()
        let ending: Ending
        let wording: Wording
        var target: Substring?
        if words == "end: success" || words == "end:success" {
            (ending, wording) = (.success, .english)
        } else if words == "end: failure" || words == "end:failure" {
            (ending, wording) = (.failure, .english)
        } else if words.hasPrefix("resume at ") {
            var rest = written.dropFirst("resume at ".count).drop { $0 == " " }
            if rest.lowercased().hasPrefix("step ") { rest = rest.dropFirst(5).drop { $0 == " " } }
            (ending, wording, target) = (.resumeNext, .english, rest)
        } else if let chinese = Self.chineseEnding(written) {
            switch chinese {
            case .success: (ending, wording) = (.success, .chinese)
            case .failure: (ending, wording) = (.failure, .chinese)
            case .next: (ending, wording) = (.resumeNext, .chinese)
            case .resume(let verb, let rest):
                (ending, wording, target) = (.resumeNext, .chinese, rest)
                guard !rest.isEmpty else {
                    throw FormatError(block.position, "\"\(verb)\" needs a step number, e.g. \"- 回到第3步。\" (\"- 继续下一步。\" goes on with the next step)")
                }
            }
        } else {
            throw FormatError(block.position, "expected an ending: \"- Resume at N.\", \"- End: success.\" or \"- End: failure.\" "
                              + "(in Chinese \"- 回到第N步。\", \"- 结束：成功。\" or \"- 结束：失败。\"), or a numbered step")
        }
        if flow.wording == nil { flow.wording = wording }
        if let target {
            guard !target.isEmpty else {
                throw FormatError(block.position, wording == .english ? "\"Resume at\" needs a step number, e.g. \"- Resume at 3.\""
                                  : "\"回到\" needs a step number, e.g. \"- 回到第3步。\"")
            }
            // Written escaped like a label (the writer keeps any target exactly, see
            // FlowMarkdownWriter); fullwidth digits and letters ("３ａ") read as the step's number.
            let unescaped = MarkdownText.unescape(target.unicodeScalars)
            let number = Fullwidth.halfwidthNumber(unescaped)
            resumes.append((ext, number, block.position))
            flow.setEnding(.resume(.unresolved(number)), of: ext)
        } else {
            flow.setEnding(ending, of: ext)
        }
        map.endings[ext] = block.position
    }

    enum ChineseEnding { case success, failure, next, resume(verb: String, Substring) }

    /// A Chinese ending without its final "。": "结束：成功", "结束：失败" (either colon, blanks
    /// or none), "回到第3步" (also 返回 or 继续, 第 or 步骤, with or without 步 and blanks).
    static func chineseEnding(_ written: String) -> ChineseEnding? {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
        if written.hasPrefix("结束") {
            var rest = written.dropFirst(2).drop(while: blank)
            guard rest.first == ":" || rest.first == "：" else { return nil }
            rest = rest.dropFirst().drop(while: blank)
            return rest == "成功" ? .success : rest == "失败" ? .failure : nil
        }
        guard let verb = ["回到", "返回", "继续"].first(where: written.hasPrefix) else { return nil }
        var rest = written.dropFirst(verb.count).drop(while: blank)
        // "继续", "继续下一步": on with the next step, as no ending line says.
        if verb == "继续", rest.isEmpty || rest == "下一步" || rest == "执行下一步" { return .next }
        if rest.hasPrefix("步骤") { rest = rest.dropFirst(2) } else if rest.hasPrefix("第") { rest = rest.dropFirst() }
        rest = rest.drop(while: blank)
        if rest.hasSuffix("步") { rest = rest.dropLast() }
        while let last = rest.last, blank(last) { rest = rest.dropLast() }
        // A step number in Chinese numerals ("第三步", "第十二步") is that number.
        if let n = chineseNumber(rest) { return .resume(verb: verb, Substring(String(n))) }
        return .resume(verb: verb, rest)
    }

    /// 一 … 九十九 as a number; nil for anything else.
    static func chineseNumber(_ text: Substring) -> Int? {
        let digits: [Character: Int] = ["一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
        guard !text.isEmpty, text.count <= 3 else { return nil }
        let chars = Array(text)
        if chars.count == 1 { return chars[0] == "十" ? 10 : digits[chars[0]] }
        guard let ten = chars.firstIndex(of: "十") else { return nil }
        let tens = ten == 0 ? 1 : (ten == 1 ? digits[chars[0]] : nil)
        let ones = ten == chars.count - 1 ? 0 : (ten == chars.count - 2 ? digits[chars[chars.count - 1]] : nil)
        guard let tens, let ones else { return nil }
        return tens * 10 + ones
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
