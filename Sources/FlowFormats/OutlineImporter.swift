import FlowCore

/// Reads the outlines analysts already write into a flow (docs/FORMAT.md, "Importing outlines").
///
/// Each line is first read on its own (`OutlineLine`): its indentation (spaces, tabs, fullwidth
/// and no-break spaces), its mark (a bullet of a use case or of a step, a run of `*` as org-mode
/// and wiki lists write levels, a Markdown heading), the number it was written with (stripped:
/// flowsmith numbers steps itself; a Cockburn label with letters, "2a." or "2a1.", also says
/// where the line goes), a leading `[condition]`, and whether its text is an ending ("End:
/// failure", "回到第1步") or a use-case template's label ("Use case:", "Main success scenario:",
/// "Primary actor: …").
///
/// The lines are then placed:
/// - Marked: `●` (or `*`, `•` …) starts a use case, `○` (or `-`, `◦` …) a step. A step line
///   indented under a step is a step of an extension of that step; a leading `[condition]` starts
///   a new extension with that condition.
/// - Plain, indented with tabs or spaces (h-m-m, VimOutliner): the least indented lines are use
///   cases, the next level steps; a line indented under a step is the condition of an extension of
///   that step (a final `:` is dropped), and lines under it are that extension's steps, and so on.
/// - A use-case template (Cockburn's text: "Use case: …", fields, "Main success scenario:",
///   numbered steps, "Extensions:", "2a. …:", "2a1. …") and Markdown headings (`## Use case`)
///   name their use cases; the lines under them are steps, placed by their labels where they
///   have them.
///
/// What it had to guess or leave out is said in `notes`, with the line.
public enum OutlineImporter {
    /// Something the import did that the outline did not say plainly: said as a warning.
    public struct Note: Hashable, Sendable {
        public var position: SourcePosition
        public var message: String
    }

    public static func read(_ text: String, file: String? = nil) throws(FormatError) -> Flow {
        try readWithPositions(text, file: file).flow
    }

    /// The flow and, for each node, the outline line it came from.
    public static func readWithPositions(_ text: String, file: String? = nil) throws(FormatError) -> ParsedFlow {
        try importing(text, file: file).parsed
    }

    /// The flow, where each node came from, and what the import had to guess.
    public static func importing(_ text: String, file: String? = nil) throws(FormatError) -> (parsed: ParsedFlow, notes: [Note]) {
        do {
            return try importingLines(text)
        } catch var error {
            error.file = file
            throw error
        }
    }

    private static func importingLines(_ text: String) throws(FormatError) -> (parsed: ParsedFlow, notes: [Note]) {
        var notes = NoteList()
        var source = unquoted(SourceLine.split(text), notes: &notes)
        source = withoutDrawers(source, notes: &notes)
        source = spreadsheetRows(source, notes: &notes)
        let lines = source.compactMap { OutlineLine($0, notes: &notes) }
        // A file that is already a flow reads as one: importing it would take its headings and
        // numbered steps apart.
        if lines.contains(where: { $0.heading == 2 }), let flow = try? FlowMarkdownReader.read(text).flow, !flow.useCases.isEmpty {
            throw FormatError(SourcePosition(line: 1, column: 1),
                              "this is a flow file already (it reads as .flow.md): open it with flowsmith, or copy it, instead of importing it")
        }
        var builder = OutlineBuilder(lines: lines)
        for i in lines.indices { try builder.add(i, notes: &notes) }
        builder.finish(notes: &notes)
        return (ParsedFlow(flow: builder.flow, sourceMap: builder.map), notes.all)
    }
}

extension OutlineImporter {
    /// An outline quoted in a mail ("> * Log in", "> > …" when quoted again): every quoted line
    /// unquoted, and the few unmarked lines around the quote (the greeting, the line that says
    /// who wrote it, the signature) left out.
    static func unquoted(_ source: [SourceLine], notes: inout NoteList) -> [SourceLine] {
        let written = source.filter { !$0.isBlank }
        let isQuoted = { (line: SourceLine) in line.scalars.first == ">" }
        guard let first = written.firstIndex(where: isQuoted), let last = written.lastIndex(where: isQuoted),
              written[first...last].allSatisfy(isQuoted) else { return source }
        let around = Array(written[..<first]) + Array(written[(last + 1)...])
        // (A lone quoted line in a Markdown outline is no mail; nor is a quote among the steps.)
        guard around.isEmpty || (last - first >= 1 && around.count <= 6 && around.allSatisfy(isMailLine)) else { return source }
        let (from, to) = (written[first].number, written[last].number)
        if let dropped = around.first {
            notes.add("mail", SourcePosition(line: dropped.number, column: 1),
                      "\(around.count == 1 ? "a line" : "\(around.count) lines") around the quoted outline (a greeting, who wrote it, a signature) left out")
        }
        notes.add("quote", SourcePosition(line: from, column: 1), "the outline is quoted as in a mail (> …): read without the quote marks")
        return source.filter { $0.number >= from && $0.number <= to }.map { line in
            var s = line.scalars[...]
            while s.first == ">" { s = s.dropFirst(); if s.first == " " { s = s.dropFirst() } }
            return SourceLine(number: line.number, scalars: Array(s))
        }
    }

    /// A line of a mail around a quoted outline: at the margin, with no mark of an outline's
    /// line ("Hi Bob,", "Anna wrote:", "Thanks, Anna", or the signature's "-- ").
    private static func isMailLine(_ line: SourceLine) -> Bool {
        guard let first = line.scalars.first, first != " ", first != "\t" else { return false }
        let text = String(String.UnicodeScalarView(line.scalars)).trimmingSpaces
        if text == "--" { return true }
        let second = line.scalars.dropFirst().first
        let bullet = OutlineLine.bullets[first] != nil && (second == nil || second == " " || !first.isASCII)
        return !bullet && first != "*" && first != "#" && first.properties.numericType == nil
            && OutlineLine.numbering(text) == nil && first != "[" && first != "【"
    }

    /// Org-mode's drawers (":PROPERTIES:" … ":END:", ":LOGBOOK:" …) and planning lines
    /// ("SCHEDULED: <…>", "DEADLINE: <…>", "CLOSED: […]") under its headings: no part of a flow.
    static func withoutDrawers(_ source: [SourceLine], notes: inout NoteList) -> [SourceLine] {
        func text(_ line: SourceLine) -> String { String(String.UnicodeScalarView(line.scalars)).trimmingSpaces }
        let isDrawer = { (t: String) in
            t.count > 2 && t.hasPrefix(":") && t.hasSuffix(":") && t.dropFirst().dropLast().allSatisfy { $0.isASCII && ($0.isUppercase || $0 == "_" || $0 == "-") }
        }
        let isPlanning = { (t: String) in
            ["SCHEDULED: ", "DEADLINE: ", "CLOSED: "].contains { t.hasPrefix($0) } && (t.contains("<") || t.contains("["))
        }
        // (Only a line starting with ":" or a planning word can be either: looked at closer.)
        let maybe = { (line: SourceLine) -> Bool in
            guard let first = line.scalars.first(where: { $0 != " " && $0 != "\t" }) else { return false }
            return first == ":" || first == "S" || first == "D" || first == "C"
        }
        guard source.contains(where: { $0.scalars.first == "*" }),
              source.contains(where: { maybe($0) && (isDrawer(text($0)) || isPlanning(text($0))) }) else { return source }
        // Where the next ":END:" and the next heading are, from each line on (one pass back).
        var nextEnd = Array(repeating: source.count, count: source.count + 1)
        var nextHeading = nextEnd
        for k in source.indices.reversed() {
            nextEnd[k] = text(source[k]) == ":END:" ? k : nextEnd[k + 1]
            nextHeading[k] = source[k].scalars.first == "*" ? k : nextHeading[k + 1]
        }
        var out: [SourceLine] = []
        var i = 0
        while i < source.count {
            guard maybe(source[i]) else {
                out.append(source[i])
                i += 1
                continue
            }
            let t = text(source[i])
            if isPlanning(t) {
                notes.add("org", SourcePosition(line: source[i].number, column: 1), "org-mode's drawers and planning lines (\(t.prefix { $0 != " " }) …) were left out")
                i += 1
                continue
            }
            if isDrawer(t), t != ":END:", case let end = nextEnd[i + 1], end < source.count, nextHeading[i + 1] > end {
                notes.add("org", SourcePosition(line: source[i].number, column: 1), "org-mode's drawers and planning lines (\(t) …) were left out")
                i = end + 1
                continue
            }
            out.append(source[i])
            i += 1
        }
        return out
    }
}

extension OutlineImporter {
    /// Rows pasted from a spreadsheet ("Approve invoice⇥Clerk enters the invoice", then
    /// "⇥Manager approves"): each column is a level, so each cell is a line indented by its
    /// column. Only for outlines without bullets whose lines have tabs between text; a first row
    /// of column names (Use case, Step, Extension …) is left out, and so are columns that only
    /// number the rows.
    static func spreadsheetRows(_ source: [SourceLine], notes: inout NoteList) -> [SourceLine] {
        func cells(_ line: SourceLine) -> [[Unicode.Scalar]] {
            line.scalars.split(separator: "\t", omittingEmptySubsequences: false).map { Array($0) }
        }
        let rows = source.filter { !$0.isBlank }
        let tabbed = rows.filter { cells($0).drop { $0.allSatisfy { $0 == " " } }.filter { !$0.allSatisfy { $0 == " " } }.count >= 2 }
        // (A row may start with its number or ID in a cell of its own: "1⇥Log in".)
        guard !tabbed.isEmpty, rows.allSatisfy({ line in
            let start = line.scalars.first { $0 != "\t" && $0 != " " }
            let numbered = cells(line).first { !$0.allSatisfy { $0 == " " } }.map { isIdentifier(String(String.UnicodeScalarView($0)).trimmingSpaces) } ?? false
            return start.map { OutlineLine.bullets[$0] == nil && $0 != "*" && $0 != "#" && $0 != ">" && ($0.properties.numericType == nil || numbered && line.scalars.contains("\t")) } ?? true
        }) else { return source }
        notes.add("spreadsheet", SourcePosition(line: tabbed[0].number, column: 1),
                  "tab-separated columns (pasted from a spreadsheet) were read as levels: the first column's cells are use cases, the next steps, then conditions")
        var table = source.map { line in cells(line).map { String(String.UnicodeScalarView($0)).trimmingSpaces } }
        // A first row of column names ("Use case", "Step", "Alternative step" …): most of them known.
        if let top = source.firstIndex(where: { !$0.isBlank }) {
            let names = table[top].filter { !$0.isEmpty }
            let known = names.filter { columnNames.contains(OutlineBuilder.withoutColons($0).lowercased()) }
            if names.count >= 2, known.count * 2 >= names.count {
                notes.add("columns", SourcePosition(line: source[top].number, column: 1), "the first row names the columns: left out")
                table[top] = []
            }
        }
        // A column of numbers or IDs alone ("UC-01", "1", "2.1", "2a") says where a row is, not what it does.
        let width = table.map(\.count).max() ?? 0
        let ids = (0..<width).filter { column in
            let filled = table.compactMap { $0.count > column && !$0[column].isEmpty ? $0[column] : nil }
            return !filled.isEmpty && filled.allSatisfy(isIdentifier)
        }
        let examples = ids.compactMap { column in table.first { $0.count > column && !$0[column].isEmpty }?[column] }
        if let first = ids.first, let row = table.firstIndex(where: { $0.count > first && !$0[first].isEmpty }) {
            notes.add("ids", SourcePosition(line: source[row].number, column: 1),
                      (ids.count == 1 ? "a column" : "\(ids.count) columns") + " of numbers or IDs (\(examples.joined(separator: ", ")) …) left out: the columns of text are the levels")
        }
        var out: [SourceLine] = []
        for (line, row) in zip(source, table) {
            // Where each cell starts in the line, for what is said about it.
            var at = 1
            var level = 0
            let raw = cells(line)
            for (column, text) in row.enumerated() {
                defer { at += raw[column].count + 1 }
                if ids.contains(column) { continue }
                defer { level += 1 }
                guard !text.isEmpty else { continue }
                let lead = raw[column].prefix { $0 == " " }.count
                var cell = SourceLine(number: line.number, scalars: Array(repeating: "\t", count: level) + Array(text.unicodeScalars))
                cell.offset = at + lead - (level + 1)
                out.append(cell)
            }
        }
        return out
    }
}

extension OutlineImporter {
    /// Names a spreadsheet's columns go by.
    static let columnNames: Set<String> = [
        "use case", "use cases", "use case name", "process", "scenario", "step", "steps", "step no.", "step no", "no.", "no", "#", "id",
        "number", "description", "activity", "action", "extension", "extensions", "condition", "conditions", "alternative",
        "alternatives", "alternative step", "alternative steps", "alternative flow", "exception", "exceptions", "actor", "role",
        "who", "result", "ending", "notes", "comment", "comments",
        "用例", "用例名称", "流程", "场景", "步骤", "序号", "编号", "描述", "活动", "扩展", "条件", "异常", "备选步骤", "备选流程", "角色", "参与者", "结果", "备注", "说明",
    ]

    /// A cell that only numbers or names a row: "1", "2.1", "2a", "UC-01", "S1", "#3".
    static func isIdentifier(_ cell: String) -> Bool {
        var c = Substring(cell.hasSuffix(".") ? String(cell.dropLast()) : cell)
        if c.hasPrefix("#") { c = c.dropFirst() }
        let letters = c.prefix { $0.isASCII && $0.isLetter }
        guard letters.count <= 5 else { return false }
        c = c.dropFirst(letters.count)
        if c.first == "-" || c.first == "_" { c = c.dropFirst() }
        guard let first = c.first, first.isASCII, first.isNumber else { return false }
        return c.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0.isLowercase) } && c.filter(\.isLowercase).count <= 2
    }
}

/// Notes, each kind said once with how many more lines had it.
struct NoteList {
    private var order: [String] = []
    private var first: [String: OutlineImporter.Note] = [:]
    private var more: [String: Int] = [:]

    mutating func add(_ kind: String, _ position: SourcePosition, _ message: String) {
        if first[kind] == nil {
            order.append(kind)
            first[kind] = OutlineImporter.Note(position: position, message: message)
        } else {
            more[kind, default: 0] += 1
        }
    }

    /// In the order of their lines.
    var all: [OutlineImporter.Note] {
        order.compactMap { kind -> OutlineImporter.Note? in
            guard var note = first[kind] else { return nil }
            if let n = more[kind] { note.message += " (and \(n) more line\(n == 1 ? "" : "s") like it)" }
            return note
        }.enumerated().sorted { a, b in
            (a.element.position.line, a.element.position.column, a.offset) < (b.element.position.line, b.element.position.column, b.offset)
        }.map(\.element)
    }
}

/// One line of an outline, read on its own.
struct OutlineLine {
    enum Mark: Equatable { case useCase, step, none }
    /// What a use-case template's line says besides steps.
    /// A section: what follows is steps or extensions (`exception`: extensions that are
    /// exceptions), or no part of a scenario at all (`aside`: open issues, variations …).
    enum Section: Equatable { case scenario, exceptions, aside }
    enum Template: Equatable { case useCase(String), section(Section), field(Field) }

    let number: Int
    /// Where the text starts (1-based), after indentation, mark and number.
    var column: Int
    var indent: Int
    var mark: Mark
    /// The level a run of `*` gives (1 for `*`, 2 for `**` …), as org-mode and wiki lists write it.
    var stars: Int?
    /// A Markdown heading's level.
    var heading: Int?
    /// The column after the mark: where a hard-wrapped continuation of the line would start.
    var textIndent: Int
    /// A Cockburn label with letters ("2a", "2a1"), which places the line; nil for plain numbers.
    var label: [String]?
    /// The number the line was written with ("1", "2a1"), for resume targets.
    var written: String?
    /// How many parts a decimal number has ("1.2.1": 3), the level it gives.
    var decimal: Int?
    /// The decimal number as written ("1.2"), for resume targets.
    var decimalWritten: String?
    /// The text after a bare number ("1 Incident handling"), a level in a decimal outline.
    var bare: String?
    var text: String { didSet { template = Self.template(of: text) } }
    /// What the line says in a use-case template, if anything (`template(of:)`), read once.
    private(set) var template: Template?

    /// Where the line's content starts (its mark, if any): where it is said to be.
    var start: Int
    var position: SourcePosition { SourcePosition(line: number, column: start) }

    /// Invisible characters seen at line starts (a second byte-order mark from files put
    /// together, zero-width spaces from web pages): left out.
    static let invisible: Set<Unicode.Scalar> = ["\u{FEFF}", "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}"]

    init?(_ source: SourceLine, notes: inout NoteList) {
        number = source.number
        var s = source.scalars
        // Indentation: spaces, tabs (to the next multiple of 4), fullwidth spaces (2 columns),
        // no-break spaces (pasted from web pages and mail); invisible characters are dropped.
        var width = 0
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "\u{A0}", !s[..<i].contains("\u{A0}") {
                notes.add("nbsp", SourcePosition(line: source.number, column: i + 1 + source.offset), "no-break spaces (pasted from a web page or a mail) were read as spaces")
            }
            if c == " " || c == "\u{A0}" { width += 1 } else if c == "\t" { width += 4 - width % 4 }
            else if c == "\u{3000}" { width += 2 }
            else if Self.invisible.contains(c) {
                notes.add("invisible", SourcePosition(line: source.number, column: i + 1 + source.offset),
                          "an invisible character (U+\(String(c.value, radix: 16, uppercase: true))) at the start of the line was left out")
            } else { break }
            i += 1
        }
        s = Array(s[i...])
        while let last = s.last, last == " " || last == "\t" || last == "\u{3000}" || last == "\u{A0}" { s.removeLast() }
        guard !s.isEmpty else { return nil }
        // Tabs inside a line (columns pasted from a spreadsheet, "1.⇥text" from a word processor)
        // are blanks.
        if s.contains("\t") {
            notes.add("tab", SourcePosition(line: source.number, column: i + 1 + source.offset + (s.firstIndex(of: "\t") ?? 0)),
                      "a tab inside the line was read as a space")
            s = s.map { $0 == "\t" ? " " : $0 }
        }
        indent = width
        start = i + 1 + source.offset
        var column = i + 1
        (mark, stars, heading) = (.none, nil, nil)
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\u{3000}" || $0 == "\u{A0}" }
        func drop(_ n: Int) {
            var k = n
            while k < s.count, blank(s[k]) { k += 1 }
            s = Array(s[k...])
            column += k
        }
        let first = s[0]
        let second = s.count > 1 ? s[1] : nil
        if first == "#" {
            let level = s.prefix { $0 == "#" }.count
            if level <= 6, s.count == level || blank(s[level]) {
                heading = level
                drop(level)
            }
        } else if first == "*" && Self.anyStepLabel(String(String.UnicodeScalarView(s))) != nil {
            // Cockburn's "*a." (an extension at any step) is a label, not a bullet.
        } else if first == "*" || first == "＊" {
            let level = s.prefix { $0 == "*" || $0 == "＊" }.count
            // "* Text", "**Text" (wide or followed by a letter, unless it is *emphasis*), "＊Text".
            let glued = s.count > level && !Self.isMarkLike(s[level]) && (first == "＊" || !s[level].isASCII
                || s[level].properties.isAlphabetic && !s[level...].contains("*"))
            if s.count > level, blank(s[level]) || glued {
                (mark, stars) = (level == 1 ? .useCase : .step, level)
                drop(level)
                // Org-mode's keywords and tags ("* TODO Reset a password :hr:") are no text.
                // (And its priorities: "** DONE [#A] Send the link".)
                var org = false
                for keyword in ["TODO ", "DONE ", "NEXT ", "WAITING ", "CANCELLED ", "CANCELED "] where String(String.UnicodeScalarView(s)).hasPrefix(keyword) {
                    drop(keyword.count - 1)
                    org = true
                }
                if s.count > 5, s[0] == "[", s[1] == "#", s[2].isASCII, s[2].properties.isAlphabetic || s[2].properties.numericType != nil, s[3] == "]", s[4] == " " {
                    drop(4)
                    org = true
                }
                if s.last == ":", let space = s.lastIndex(of: " "), space + 2 < s.count, s[space + 1] == ":",
                   s[(space + 1)...].allSatisfy({ $0 == ":" || $0 == "@" || $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }) {
                    s = Array(s[..<space])
                    while s.last == " " { s.removeLast() }
                    org = true
                }
                if org {
                    notes.add("org keywords", SourcePosition(line: source.number, column: i + 1 + source.offset),
                              "org-mode's keywords, priorities and :tags: (TODO, [#A] …) were left out")
                }
            } else if s.count == level, level == 1 {
                // An empty use-case bullet still starts a use case (its steps are not another's):
                // one with no title, which the import names.
                (mark, stars) = (.useCase, 1)
                drop(1)
            } else if s.count == level, level == 2 {
                notes.add("empty", SourcePosition(line: source.number, column: column + source.offset), "an empty bullet was left out")
                return nil
            }
        } else if let kind = Self.bullets[first] {
            // A bullet followed by a blank; a wide one (● ○ ▪ － …) may be followed directly by
            // text, as Chinese keyboards type it; "-Text" and "o Text" are bullets as well.
            let ascii = first.isASCII
            if second == nil, kind == .useCase {
                mark = kind
                drop(1)
            } else if second == nil {
                notes.add("empty", SourcePosition(line: source.number, column: column + source.offset), "an empty bullet was left out")
                return nil
            } else if let second, blank(second) {
                mark = kind
                drop(1)
            } else if let second, !ascii || (first == "-" && second.properties.isAlphabetic), !Self.isMarkLike(second) {
                mark = kind
                drop(1)
            }
        }
        // The number it was written with.
        var text = String(String.UnicodeScalarView(s))
        (label, written, decimal, bare, decimalWritten) = (nil, nil, nil, nil, nil)
        if mark == .none, let (depth, rest) = Self.decimalNumber(text) {
            if depth == 1 { bare = rest } else {
                decimal = depth
                decimalWritten = String(text.prefix { $0 != " " }.reversed().drop { $0 == "." }.reversed())
                column += text.unicodeScalars.count - rest.unicodeScalars.count
                text = rest
            }
        }
        // (A label typed with a Chinese input method on, "２ａ．", is "2a.".)
        // (Its digits and letters only: a fullwidth stop "．" needs no blank after it, as "、".)
        let wideAlphanumeric = { (u: Unicode.Scalar) in (0xFF10...0xFF19).contains(u.value) || (0xFF21...0xFF3A).contains(u.value) || (0xFF41...0xFF5A).contains(u.value) }
        let probe = text.unicodeScalars.first.map(wideAlphanumeric) == true
            ? String(String.UnicodeScalarView(text.unicodeScalars.map { wideAlphanumeric($0) ? Fullwidth.halfwidth($0) : $0 })) : text
        if let (number, rest) = Self.numbering(probe) ?? Self.anyStepLabel(probe) {
            written = number.written
            label = number.parts.count > 1 ? number.parts : nil
            // (The text after the number as written: the probe's letters were made narrow.)
            let consumed = probe.unicodeScalars.count - rest.unicodeScalars.count
            column += consumed
            text = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(consumed)))
        }
        self.column = column
        // (After a number too: "1. Employee fills in the form and attaches" is continued under "Employee".)
        textIndent = indent + (column - (i + 1))
        self.text = text
        template = Self.template(of: text)
    }

    /// Bullets a line may start with, and what they start.
    static let bullets: [Unicode.Scalar: Mark] = [
        "●": .useCase, "•": .useCase, "■": .useCase, "◆": .useCase, "❖": .useCase,
        "○": .step, "◦": .step, "-": .step, "+": .step, "－": .step, "＋": .step, "▪": .step, "□": .step,
        "◇": .step, "➢": .step, "►": .step, "▶": .step, "–": .step, "·": .step, "o": .step, "∙": .step, "‣": .step,
    ]

    private static func isMarkLike(_ c: Unicode.Scalar) -> Bool {
        bullets[c] != nil || c == "*" || c == "＊" || c == "#"
    }

    /// The number a line starts with and the text after it: "1.", "1)", "(1)", "1、", "2a.",
    /// "2a1.", "①", "一、", "（一）", "i.", "a)", "第4步：", "Step 4:". Parts split a Cockburn label
    /// into numbers and letters ("2a1" is 2, a, 1).
    static func numbering(_ text: String) -> ((written: String, parts: [String]), String)? {
        let c = Array(text)
        guard !c.isEmpty else { return nil }
        func rest(from i: Int) -> String? {
            var k = i
            guard k <= c.count else { return nil }
            while k < c.count, c[k] == " " || c[k] == "\u{3000}" || c[k] == "\u{A0}" { k += 1 }
            // A number alone on its line, or one glued to what follows it, is text.
            guard k < c.count else { return nil }
            return String(c[k...])
        }
        // Where the text starts after a number's terminator at `i`: "、" "）" "．" need nothing
        // after them; "." ")" ":" a blank or a Chinese character ("1.5 kg" is no number).
        func numberEnd(_ i: Int) -> Int? {
            guard i < c.count else { return nil }
            if c[i] == "、" || c[i] == "）" || c[i] == "．" || c[i] == "：" { return i + 1 }
            guard c[i] == "." || c[i] == ")" || c[i] == ":", i + 1 < c.count else { return nil }
            let next = c[i + 1]
            return next == " " || next == "\u{3000}" || next == "\u{A0}" || Self.isCJK(next) ? i + 1 : nil
        }
        // 第4步： / Step 4:
        if c[0] == "第", let j = c.dropFirst().firstIndex(where: { !$0.isASCII || !$0.isNumber }), j > 1, c[j] == "步" {
            var k = j + 1
            if k < c.count, [":", "：", "、", ".", "．", ",", "，"].contains(c[k]) { k += 1 }
            return rest(from: k).map { ((String(c[1..<j]), [String(c[1..<j])]), $0) }
        }
        if text.lowercased().hasPrefix("step "), let j = c.dropFirst(5).firstIndex(where: { !$0.isASCII || !$0.isNumber }), j > 5,
           c[j] == ":" || c[j] == "." {
            return rest(from: j + 1).map { ((String(c[5..<j]), [String(c[5..<j])]), $0) }
        }
        // 1. / 2a. / 2a1) / 1、
        if c[0].isASCII, c[0].isNumber {
            var parts: [String] = []
            var i = 0
            while i < c.count, c[i].isASCII, c[i].isLetter || c[i].isNumber {
                let digits = c[i].isNumber
                var j = i
                while j < c.count, c[j].isASCII, digits ? c[j].isNumber : c[j].isLowercase { j += 1 }
                guard j > i else { return nil }
                parts.append(String(c[i..<j]))
                i = j
                // Cockburn's extension of a range of steps: "2-4a." (the first part is "2-4").
                if parts.count == 1, digits, i + 1 < c.count, c[i] == "-" || c[i] == "–", c[i + 1].isASCII, c[i + 1].isNumber {
                    var k = i + 1
                    while k < c.count, c[k].isASCII, c[k].isNumber { k += 1 }
                    guard k < c.count, c[k].isASCII, c[k].isLowercase else { return nil }
                    parts[0] += "-" + String(c[(i + 1)..<k])
                    i = k
                }
            }
            // ("2nd reminder", "48h later", "3x the amount" are text: a number ends in a stop.)
            guard parts.count <= 8, let e = numberEnd(i) else { return nil }
            return rest(from: e).map { ((parts.joined(), parts), $0) }
        }
        // (1) （1） (一) （一） (a)
        if c[0] == "(" || c[0] == "（", let close = c.firstIndex(where: { $0 == ")" || $0 == "）" }), close > 1, close <= 4,
           c[1..<close].allSatisfy({ ($0.isASCII && ($0.isNumber || $0.isLowercase)) || Self.chineseNumerals.contains($0) }) {
            return rest(from: close + 1).map { ((String(c[1..<close]), [String(c[1..<close])]), $0) }
        }
        // ① ⑴ ⒈ ❶
        if let u = c[0].unicodeScalars.first, c[0].unicodeScalars.count == 1,
           (0x2460...0x249B).contains(u.value) || (0x2776...0x2793).contains(u.value) {
            return rest(from: 1).map { (("", [""]), $0) }
        }
        // 一、 十二．
        if Self.chineseNumerals.contains(c[0]) {
            let j = c.firstIndex { !Self.chineseNumerals.contains($0) } ?? c.count
            if j < c.count, c[j] == "、" || c[j] == "．" || c[j] == "." {
                return rest(from: j + 1).map { ((String(c[..<j]), [String(c[..<j])]), $0) }
            }
            return nil
        }
        // i. ii) iv. / a. b) A.
        if c[0].isASCII, c[0].isLetter {
            let j = c.firstIndex { !($0.isASCII && $0.isLetter) } ?? c.count
            let word = String(c[..<j]).lowercased()
            let roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"].contains(word)
            if (j == 1 || roman), j < c.count, c[j] == "." || c[j] == ")", j + 1 < c.count, c[j + 1] == " " {
                return rest(from: j + 1).map { ((word, [word]), $0) }
            }
        }
        return nil
    }

    /// Cockburn's label for an extension at any step ("*a.", "*a1."), as `numbering` gives
    /// labels: its first part is "*".
    static func anyStepLabel(_ text: String) -> ((written: String, parts: [String]), String)? {
        guard text.hasPrefix("*"), let second = text.dropFirst().first, second.isASCII, second.isLowercase,
              let ((_, parts), rest) = numbering("0" + text.dropFirst()), parts.count >= 2, parts[0] == "0" else { return nil }
        let label = ["*"] + parts.dropFirst()
        return ((label.joined(), label), rest)
    }

    /// "1.2.1 Text" (or "1.2.1. Text"): how many parts, and the text; "1 Text" has one.
    static func decimalNumber(_ text: String) -> (Int, String)? {
        let c = Array(text)
        var i = 0
        var parts = 0
        while i < c.count, c[i].isASCII, c[i].isNumber {
            while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
            parts += 1
            guard i < c.count, c[i] == ".", i + 1 < c.count, c[i + 1].isASCII, c[i + 1].isNumber else { break }
            i += 1
        }
        guard parts > 0 else { return nil }
        if i < c.count, c[i] == "." { i += 1 }
        guard i < c.count, c[i] == " " else { return nil }
        let rest = String(c[i...]).trimmingSpaces
        return rest.isEmpty ? nil : (parts, rest)
    }

    static let chineseNumerals: Set<Character> = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "零", "〇"]

    static func isCJK(_ c: Character) -> Bool {
        guard let u = c.unicodeScalars.first else { return false }
        return (0x3400...0x9FFF).contains(u.value) || (0xF900...0xFAFF).contains(u.value) || (0x20000...0x2FFFF).contains(u.value)
    }

    /// What a use-case template's line says: "Use case: Title" (or "Use case 3:", "UC 3:",
    /// "用例：", "用例名称："), a section ("Main success scenario:", "Extensions:", "主成功场景：",
    /// "扩展：" …), or a field ("Primary actor: Clerk", "主要参与者：客服").
    static func template(of text: String) -> Template? {
        // (Written bold in Markdown: "**Main success scenario:**".)
        var t = text
        for wrap in ["**", "__"] where t.hasPrefix(wrap) && t.hasSuffix(wrap) && t.count > 4 { t = String(t.dropFirst(2).dropLast(2)) }
        if t.hasPrefix("**"), let end = t.dropFirst(2).range(of: "**") {
            t = String(t[t.index(t.startIndex, offsetBy: 2)..<end.lowerBound]) + String(t[end.upperBound...])
        }
        guard let colon = t.firstIndex(where: { $0 == ":" || $0 == "：" }) else {
            return Self.section(Self.key(t)).map { .section($0) }
        }
        let name = String(t[..<colon]).trimmingSpaces
        // The colon and the spaces after it, as a .flow.md field reads them back.
        let spaces = t[t.index(after: colon)...].prefix { $0 == " " }
        let value = String(t[spaces.endIndex...]).trimmingSpaces
        let key = Self.key(name)
        if value.isEmpty, let section = Self.section(key) { return .section(section) }
        if !value.isEmpty, Self.isUseCaseLabel(key) { return .useCase(value) }
        if !value.isEmpty, let canonical = Field.knownNames.first(where: { $0.lowercased() == key })
            ?? Self.fieldNames.first(where: { $0.lowercased() == key }) {
            return .field(Field(canonical, value, separator: String(t[colon]) + spaces))
        }
        return nil
    }

    private static func key(_ s: String) -> String { OutlineBuilder.withoutColons(s).lowercased() }

    private static func isUseCaseLabel(_ key: String) -> Bool {
        // "Use case:", "Use case 3:", "UC 3:", "Use case name:", "Use case UC-01:", "用例名称：".
        for prefix in ["use case", "uc", "用例名称", "用例名", "用例编号", "用例"] where key.hasPrefix(prefix) {
            var rest = key.dropFirst(prefix.count).trimmingCharacters(in: [" ", "#", "-", ".", "_"])
            if ["name", "title", "名称", "名"].contains(rest) { return true }
            if rest.hasPrefix("uc") { rest = String(rest.dropFirst(2)).trimmingCharacters(in: [" ", "#", "-", ".", "_"]) }
            if rest.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return true }
        }
        return false
    }

    static func section(_ key: String) -> Section? {
        if scenarioSections.contains(key) { return .scenario }
        if exceptionSections.contains(key) { return .exceptions }
        if asideSections.contains(key) { return .aside }
        return nil
    }

    static let scenarioSections: Set<String> = [
        "main success scenario", "main scenario", "main flow", "basic flow", "basic course", "success scenario", "steps",
        "extensions", "alternative flows", "alternate flows", "alternative flow", "alternatives",
        "主成功场景", "主场景", "基本流程", "基本流", "主流程", "成功场景", "步骤", "扩展", "扩展场景", "扩展流程", "备选流程", "备选流", "备选场景",
    ]
    static let exceptionSections: Set<String> = ["exceptions", "exception flows", "exception flow", "异常流程", "异常流", "异常", "异常场景"]
    /// Sections of a template that hold no steps: left out, with what is under them.
    static let asideSections: Set<String> = [
        "open issues", "technology and data variations", "technology and data variations list", "related information",
        "notes", "variations", "frequency of occurrence", "special requirements", "business rules",
        "待解决问题", "未决问题", "备注", "说明", "补充说明", "特殊需求", "业务规则", "技术与数据变化",
    ]

    static let fieldNames = ["主要参与者", "主参与者", "参与者", "主执行者", "目标", "前置条件", "触发条件", "触发事件", "后置条件",
                             "成功保证", "最小保证", "范围", "层次", "级别", "利益相关者",
                             "Postconditions", "Postcondition", "Precondition", "Priority", "Frequency", "Actors", "Actor",
                             "Main actor", "Stakeholders and interests", "Success guarantees", "Minimal guarantees"]
}

private struct OutlineBuilder {
    let lines: [OutlineLine]
    var flow = Flow()
    var map = SourceMap()
    /// Open use case and steps by indentation; a new line closes those indented as deep or deeper.
    var stack: [(indent: Int, node: NodeID)] = []
    var useCaseIndent: Int?
    /// How much deeper the current use case's first step is than the use case: the outline's unit
    /// of indentation.
    var unit: Int?
    /// The current use case was named by a template or a heading: lines at its own indentation
    /// are its steps, and only another such line starts a use case.
    var named = false
    /// The current use case's line had a number of its own ("1. Log in"): numbered lines beside
    /// it are use cases too. Under an unnumbered one ("Log in" then "1. User enters …") they
    /// are its steps.
    var useCaseNumbered = false
    /// Under an exceptions section: the extensions it names are exceptions.
    var exceptionSection = false
    /// Under a section that holds no steps (open issues …): its lines are left out.
    var aside = false
    /// Lines labelled for a step not yet written ("2a." before the main scenario), placed when
    /// their use case is done.
    var deferred: [OutlineLine] = []
    /// The outline's labels ("2", "2a", "2a1") in the current use case, and the nodes they made.
    var labels: [String: NodeID] = [:]
    /// `Resume at` lines, resolved when their use case is done.
    /// (Resolved with the use case's labels when it is done: a copy of them with each `Resume`
    /// line made importing a long template quadratic in memory, 24 GB at 100,000 steps.)
    var resumes: [(ext: NodeID, target: String, useCase: NodeID)] = []
    /// The first line is the flow's title (a line ending in ":", or the one root of a mind map).
    var titleLine: Int?
    /// Markdown headings one level below the file's top one are use cases.
    var useCaseHeading: Int?
    /// What placing a line had to say, said with the next line (placing is deferred at times).
    var said: [(kind: String, position: SourcePosition, message: String)] = []

    init(lines: [OutlineLine]) {
        var lines = lines
        // A Markdown list nests one bullet at every level ("- Use case" then "  - Step", or "*"
        // throughout): the least indented items are use cases, deeper ones steps.
        // (A bulleted "[condition] step" is an extension's line in the ●/○ style, not a level.)
        let marked = lines.filter { $0.mark != .none && ($0.stars ?? 1) == 1 && $0.heading == nil && Self.condition($0.text) == nil }
        if let top = marked.map(\.indent).min(), Set(marked.map(\.mark)).count == 1, Set(marked.map(\.indent)).count >= 2,
           lines.allSatisfy({ $0.mark != .none || $0.indent > top || $0.heading != nil || $0.template != nil }) {
            // Below the steps, levels are conditions and their steps, as in plain outlines.
            let levels = Set(marked.map(\.indent)).sorted()
            for i in lines.indices where lines[i].mark != .none && (lines[i].stars ?? 1) == 1 && lines[i].heading == nil {
                lines[i].mark = lines[i].indent == top ? .useCase : lines[i].indent <= levels[1] ? .step : .none
            }
        }
        // A decimal outline ("1 Incident", "1.2 Desk logs it", "1.2.1 User unknown"): the number
        // of parts is the level, as indentation would be.
        if lines.contains(where: { ($0.decimal ?? 0) >= 2 }) {
            // (Under an unnumbered first line, the numbers start a level down: "Incident
            // handling", then "1 User reports it", "2.1 The user is unknown".)
            let shift = lines.first.map { $0.decimal == nil && $0.bare == nil && $0.mark == .none } == true ? 1 : 0
            for i in lines.indices {
                if let depth = lines[i].decimal ?? (lines[i].bare != nil ? 1 : nil), lines[i].mark == .none {
                    if let bare = lines[i].bare { lines[i].text = bare }
                    lines[i].indent += (depth - 1 + shift) * 4
                }
            }
        }
        self.lines = lines
        guard let first = lines.first else { return }
        // (A heading that names a section, "### Extensions", is no level of use cases.)
        let headings = lines.compactMap { line -> Int? in
            if case .section? = line.template { return nil }
            return line.heading
        }
        // One heading over a list of use cases is the flow's title.
        if headings.count == 1, first.heading != nil, lines.contains(where: { $0.mark == .useCase }) {
            titleLine = 0
            return
        }
        if let top = headings.min() {
            useCaseHeading = headings.contains(top + 1) ? top + 1 : top
            if first.heading == top, useCaseHeading != top { titleLine = 0 }
            return
        }
        let second = lines.count > 1 ? lines[1] : nil
        if first.mark == .none, first.label == nil, first.indent == 0, first.text.hasSuffix(":") || first.text.hasSuffix("："),
           first.template == nil, second.map({ $0.indent == 0 && $0.mark != .step }) ?? true {
            titleLine = 0
        } else if lines.allSatisfy({ $0.mark == .none && $0.label == nil && $0.template == nil }), first.indent == 0,
                  lines.dropFirst().allSatisfy({ $0.indent > 0 }) {
            // A mind map's text export: one root (the map's name), then use cases, each with its
            // steps under it. (In one use case's outline, not every step has lines under it.)
            let second = lines.dropFirst().map(\.indent).min() ?? 0
            let level2 = lines.indices.dropFirst().filter { lines[$0].indent == second }
            let parents = level2.filter { $0 + 1 < lines.count && lines[$0 + 1].indent > second }
            // (In one use case whose every step has a condition, the lines a level further down
            // are conditions, and have their steps under them; in a map, they are steps, and
            // mostly have nothing under them.)
            let third = lines.map(\.indent).filter { $0 > second }.min()
            let level3 = lines.indices.filter { lines[$0].indent == third }
            let withChildren = level3.filter { $0 + 1 < lines.count && lines[$0 + 1].indent > lines[$0].indent }
            if level2.count >= 2, parents.count == level2.count, second > 0,
               lines.allSatisfy({ $0.indent % second == 0 }), withChildren.count * 2 < level3.count { titleLine = 0 }
        }
    }

    mutating func add(_ i: Int, notes: inout NoteList) throws(FormatError) {
        defer { tell(&notes) }
        var line = lines[i]
        if i == titleLine {
            flow.title = Self.withoutColons(line.text)
            return
        }
        // Levels written with stars or headings are indentation in effect.
        // (Below the steps, a level is a condition, then its steps, as in plain outlines.)
        if let stars = line.stars, stars > 1 {
            line.indent = (stars - 1) * 4
            if stars > 2 { line.mark = .none }
        }
        // Org-mode's settings: its title, and the rest left out.
        if line.text.hasPrefix("#+") {
            if line.text.uppercased().hasPrefix("#+TITLE:") { flow.title = String(line.text.dropFirst(8)).trimmingSpaces }
            return
        }
        let template = line.template
        if line.heading != nil, case .section? = template {
            // "### Extensions": a section, whatever its level.
        } else if let heading = line.heading {
            if heading <= (useCaseHeading ?? heading) {
                var title = line.text
                if case .useCase(let named)? = template { title = named }
                openUseCase(title, line, named: true)
                return
            }
            // Deeper headings are levels, as indentation is: steps, then conditions and their
            // steps (a mind map exported as Markdown).
            line.mark = .none
            line.indent = (heading - (useCaseHeading ?? heading)) * 4
        }
        switch template {
        case .useCase(let title)?:
            openUseCase(title, line, named: true)
            return
        case .section(let section)?:
            // "Main success scenario:" and "Extensions:" say what follows; the labels and the
            // indentation place it. "Open issues:" and the like hold no steps.
            if stack.isEmpty { throw FormatError(line.position, "a section (\(line.text)) before any use case: start the outline with the use case (Use case: Title)") }
            named = true
            stack.removeLast(stack.count - 1)
            exceptionSection = section == .exceptions
            aside = section == .aside
            if aside { notes.add("aside", line.position, "\"\(line.text.trimmingSpaces)\" and the lines under it hold no steps: left out") }
            return
        case .field(let field)?:
            // Fields go with their use case, before its steps or (postconditions …) after them.
            if let uc = stack.first?.node, flow.children(of: uc).isEmpty || named {
                flow.addField(field, to: uc)
                aside = false
                return
            }
        case nil:
            break
        }
        if aside { return }
        // An extension or its step labelled for a step not written yet: placed at the end.
        if let label = line.label, let uc = stack.first?.node, labels[label.dropLast().joined()] == nil,
           flow.node(numbered: Self.anchor(label), in: uc) == nil {
            deferred.append(line)
            return
        }
        // A line aligned with the text of the bulleted line above it, with no mark of its own,
        // continues it (a line wrapped by hand, as mail and pasted documents have them).
        if i > 0, line.mark == .none, line.heading == nil, line.textIndent == line.indent, line.label == nil, line.written == nil, line.decimal == nil,
           case let above = lines[i - 1],
           above.mark != .none || above.written != nil && Self.continues(above.text, line.text),
           above.heading == nil, line.indent == above.textIndent, line.indent > above.indent,
           !line.text.hasSuffix(":"), !line.text.hasSuffix("："), Self.condition(line.text) == nil,
           let last = stack.last?.node, let node = flow[last], node.kind == .step || node.kind == .useCase {
            _ = try? flow.apply(.setText(last, Self.join(node.text, line.text)))
            return
        }
        // A step and its extension's ending on one line: the step is placed, then the ending set.
        let ending = Self.ending(line.text)
        if ending == nil, let (step, ending) = Self.trailingEnding(line.text) {
            var first = line
            first.text = step
            let before = flow.nodes.count
            try placeStep(first, i: i, notes: &notes)
            if flow.nodes.count > before, let node = stack.last?.node, flow[node]?.kind == .step,
               let ext = flow[node]?.parent, flow[ext]?.kind == .extension {
                setEnding(ending, of: ext, line)
            }
            return
        }
        if let ending {
            if let ext = endingTarget(line) {
                setEnding(ending, of: ext, line)
                return
            }
            notes.add("stray ending", line.position, "an ending (\(line.text)) with no extension to end was read as a step")
        }
        try placeStep(line, i: i, notes: &notes)
    }

    /// Places a line that is a use case or a step (or a condition) by its mark, its number and
    /// its indentation.
    private mutating func placeStep(_ line: OutlineLine, i: Int, notes: inout NoteList) throws(FormatError) {
        let plain = line.mark == .none
        let numberedUnder = line.written != nil && !stack.isEmpty && !useCaseNumbered
        if plain, line.label == nil, !named, !numberedUnder, stack.isEmpty || useCaseIndent.map({ line.indent <= $0 }) ?? true {
            openUseCase(line.text, line, named: false)
            useCaseNumbered = line.written != nil
            return
        }
        // (A bulleted line with lines under it, before any use case, is one: "- Onboard" over
        // "  1. HR creates the record".)
        let hasChildren = i + 1 < lines.count && lines[i + 1].indent > line.indent
        if line.label == nil, line.mark == .useCase || line.mark == .step && stack.isEmpty && hasChildren {
            openUseCase(line.text, line, named: false)
            return
        }
        // A Cockburn label with letters places the line itself: "2a." is an extension of step 2,
        // "2a1." a step of it.
        if let label = line.label, let uc = stack.first?.node, place(label, line, in: uc) { return }
        try placeByIndentation(line, next: i + 1 < lines.count ? lines[i + 1] : nil, plain: plain, notes: &notes)
    }

    private mutating func openUseCase(_ title: String, _ line: OutlineLine, named: Bool) {
        placeDeferred()
        resolveResumes()
        exceptionSection = false
        aside = false
        let uc = flow.addUseCase(Self.withoutColons(title))
        map.nodes[uc] = line.position
        stack = [(line.indent, uc)]
        useCaseIndent = line.indent
        unit = nil
        self.named = named
        useCaseNumbered = false
        labels = [:]
    }

    /// Places the lines labelled for steps written after them, now that the steps exist; a
    /// label that still names nothing is placed by its indentation, as other lines are.
    private mutating func placeDeferred() {
        let waiting = deferred
        deferred = []
        guard let uc = stack.first?.node else { return }
        for line in waiting {
            if let ending = Self.ending(line.text), let label = line.label, let ext = labels[label.dropLast().joined()],
               flow[ext]?.kind == .extension {
                setEnding(ending, of: ext, line)
                continue
            }
            if let label = line.label, place(label, line, in: uc) { continue }
            let node: NodeID
            if let parent = stack.last?.node, flow[parent]?.kind != .useCase {
                node = addStep(line.text, under: parent)
            } else {
                node = flow.addStep(line.text.trimmingSpaces, to: uc)
            }
            map.nodes[node] = line.position
            // (An extension made for it is said to be where it is.)
            if let p = flow[node]?.parent, map.nodes[p] == nil { map.nodes[p] = line.position }
        }
    }

    /// Places a line by its Cockburn label; false when the label names nothing here.
    private mutating func place(_ label: [String], _ line: OutlineLine, in uc: NodeID) -> Bool {
        let parentLabel = label.dropLast().joined()
        let isExtension = label.last?.first?.isLetter ?? false
        guard let parent = labels[parentLabel] ?? flow.node(numbered: Self.anchor(label), in: uc) else { return false }
        let node: NodeID
        if isExtension {
            guard flow[parent]?.kind == .step else { return false }
            if Self.anchor(label) != parentLabel {
                let which = parentLabel == "*" ? "at any step" : "of steps \(parentLabel)"
                said.append(("anchor " + label.joined(), line.position, "\(label.joined()) is an extension \(which), and a flowsmith extension belongs to one step: "
                             + "it was put at step \(Self.anchor(label)); in the editor, dd and p move it to another"))
            }
            let (kind, condition, rest) = Self.condition(line.text) ?? (.alternative, line.text, "")
            let (markedKind, plainText) = Self.conditionLine(condition)
            node = flow.addExtension(plainText, to: parent, kind: markedKind ?? (exceptionSection ? .exception : kind))
            map.nodes[node] = line.position
            if !rest.isEmpty { map.nodes[flow.addStep(rest, to: node)] = line.position }
        } else {
            guard flow[parent]?.kind == .extension else { return false }
            node = flow.addStep(line.text.trimmingSpaces, to: parent)
            map.nodes[node] = line.position
        }
        labels[label.joined()] = node
        while stack.count > 1, let top = stack.last, top.indent >= line.indent { stack.removeLast() }
        stack.append((line.indent, node))
        return true
    }

    /// The step a label's line goes under: "2" for "2a" and "2a1"'s "2a"; the first of a range
    /// ("2-4a" → "2") and the first step for Cockburn's "*a" (any step), which flowsmith's
    /// extensions, each of one step, cannot say.
    static func anchor(_ label: [String]) -> String {
        guard label.count == 2, let first = label.first else { return label.dropLast().joined() }
        if first == "*" { return "1" }
        return first.split(separator: "-").first.map(String.init) ?? first
    }

    private mutating func placeByIndentation(_ line: OutlineLine, next: OutlineLine?, plain: Bool, notes: inout NoteList) throws(FormatError) {
        var indent = line.indent
        // Marked steps may sit at their use case's own indentation: the use case stays open.
        while stack.count > 1, let top = stack.last, top.indent >= indent { stack.removeLast() }
        // A plain line a little deeper than the step it comes under, by less than the outline's
        // unit (3 spaces where steps are 2 apart), is a slip of the hand: a step of the same
        // level, not the condition of a new extension that would take the step out of its
        // scenario (also after an extension's steps, deeper still).
        // (A line with lines deeper still under it is no slip: it is what they are under.)
        let parentOfNext = next.map { $0.indent > line.indent } ?? false
        if plain, !parentOfNext, let top = stack.last, flow[top.node]?.kind == .step, let unit, indent > top.indent, indent - top.indent < unit {
            notes.add("slip", line.position, "indented \(indent - top.indent) under the step above, less than the outline's "
                      + "\(unit) a level: read as a step of the same list (indent it by \(unit) to make it a condition)")
            indent = top.indent
            while stack.count > 1, let top = stack.last, top.indent >= indent { stack.removeLast() }
        }
        guard let parent = stack.last?.node else {
            throw FormatError(line.position, "a step before any use case: start the outline with a use case line (● …, * …, or a line at the left margin)")
        }
        let node: NodeID
        if plain, flow[parent]?.kind == .step, Self.condition(line.text) == nil {
            // A plain line under a step names what can happen there: an extension's condition.
            let (kind, text) = Self.conditionLine(line.text)
            node = flow.addExtension(text, to: parent, kind: kind ?? .alternative)
        } else {
            node = addStep(line.text, under: parent)
        }
        map.nodes[node] = line.position
        if let p = flow[node]?.parent, flow[p]?.kind == .extension, map.nodes[p] == nil { map.nodes[p] = line.position }
        if unit == nil, flow[parent]?.kind == .useCase, let base = useCaseIndent, line.indent > base { unit = line.indent - base }
        if let written = line.written ?? line.decimalWritten, flow[node]?.kind == .step, flow[parent]?.kind == .useCase { labels[written] = node }
        stack.append((indent, node))
    }

    /// Adds a step to a use case, or to an extension of a step (a new one when the line names a
    /// condition); a condition alone on its line opens the extension and is returned.
    private mutating func addStep(_ text: String, under parent: NodeID) -> NodeID {
        let parsed = Self.condition(text)
        guard flow[parent]?.kind == .step else {
            if flow[parent]?.kind == .extension, let (kind, condition, rest) = parsed, let step = flow[parent]?.parent {
                // "[condition] text" under an extension's steps starts a new extension of that step.
                let ext = flow.addExtension(condition, to: step, kind: kind)
                return rest.isEmpty ? ext : flow.addStep(rest, to: ext)
            }
            return flow.addStep(text.trimmingSpaces, to: parent)
        }
        var body = text
        var ext = flow.children(of: parent).last
        if parsed == nil, text.hasSuffix(":") || text.hasSuffix("：") {
            // "- The card is declined:" under a step says what can happen there, as a plain line does.
            let (kind, plainText) = Self.conditionLine(text)
            return flow.addExtension(plainText, to: parent, kind: kind ?? .alternative)
        }
        if let (kind, condition, rest) = parsed {
            ext = flow.addExtension(condition, to: parent, kind: kind)
            body = rest
            if rest.isEmpty, let ext { return ext }
        } else if ext == nil || flow[ext!]?.ending != .resumeNext {
            ext = flow.addExtension("", to: parent)
        }
        guard let ext else { return parent }
        return flow.addStep(body.trimmingSpaces, to: ext)
    }

    /// The extension an ending line ends: the one it is written in (under its steps, or as the
    /// next line of a step's extension).
    private func endingTarget(_ line: OutlineLine) -> NodeID? {
        var stack = stack
        while stack.count > 1, let top = stack.last, top.indent > line.indent { stack.removeLast() }
        // At the level of an extension's steps, or of the extension itself.
        for entry in stack.reversed() {
            guard let node = flow[entry.node] else { continue }
            switch node.kind {
            case .extension: return entry.node
            case .step:
                if let parent = node.parent, flow[parent]?.kind == .extension, entry.indent <= line.indent { return parent }
                if entry.indent < line.indent, let last = flow.children(of: entry.node).last { return last }
            case .useCase: return nil
            }
        }
        return nil
    }

    private mutating func setEnding(_ ending: ParsedEnding, of ext: NodeID, _ line: OutlineLine) {
        switch ending {
        case .success: flow.setEnding(.success, of: ext)
        case .failure: flow.setEnding(.failure, of: ext)
        case .next: flow.setEnding(.resumeNext, of: ext)
        case .resume(let target):
            flow.setEnding(.resume(.unresolved(target)), of: ext)
            if let uc = stack.first?.node { resumes.append((ext, target, uc)) }
        }
        map.endings[ext] = line.position
    }

    private mutating func tell(_ notes: inout NoteList) {
        for note in said { notes.add(note.kind, note.position, note.message) }
        said = []
    }

    mutating func finish(notes: inout NoteList) {
        placeDeferred()
        resolveResumes()
        tell(&notes)
        let ucs = flow.useCases
        if ucs.count >= 2, ucs.allSatisfy({ flow.children(of: $0).isEmpty }), let first = ucs.first, let at = map.nodes[first] {
            notes.add("nothing", at, "no line was read as a step, so every line is a use case: steps are lines starting with "
                      + "- or ○ (use cases with * or ●), lines indented under their use case, or numbered lines under a "
                      + "\"Use case: …\" line or a ## heading")
        }
    }

    private mutating func resolveResumes() {
        for r in resumes {
            let uc = r.useCase
            if let target = labels[r.target] ?? flow.node(numbered: r.target.lowercased(), in: uc),
               flow[target]?.kind == .step, flow.useCase(of: target) == uc {
                flow.setEnding(.resume(.step(target)), of: r.ext)
            }
        }
        resumes = []
    }

    /// Whether `next` reads as the rest of the sentence `text` started: `text` has no final stop
    /// and `next` starts in lower case ("…and attaches" / "the receipts"). (Under a numbered
    /// step, a line starting anew is what can happen there.)
    static func continues(_ text: String, _ next: String) -> Bool {
        guard let last = text.last, let first = next.first else { return false }
        return !".。!?！？:：;；".contains(last) && first.isLowercase
    }

    static func join(_ a: String, _ b: String) -> String {
        guard let last = a.last, let first = b.first else { return a + b }
        return OutlineLine.isCJK(last) && OutlineLine.isCJK(first) ? a + b : a + " " + b
    }

    enum ParsedEnding: Equatable { case success, failure, next, resume(String) }

    /// An ending as the `.flow.md` format writes it, in either language, with or without its
    /// final stop: "End: failure", "Resume at 2", "Resume at step 2", "结束：成功", "回到第1步".
    static func ending(_ text: String) -> ParsedEnding? {
        // (Every ending is short, and starts with one of these: most lines are steps, and pass.)
        guard text.utf8.count <= 96, let first = text.first(where: { $0 != " " && $0 != "\u{3000}" }),
              "EeUuRrGgBbCcTt用流跳转结回返继".contains(first) else { return nil }
        var written = text.trimmingSpaces
        while written.hasSuffix(".") || written.hasSuffix("。") || written.hasSuffix("！") || written.hasSuffix("!") { written.removeLast() }
        var words = String(written.lowercased().map { $0 == "：" ? ":" : $0 })
        if words.hasPrefix("the ") { words.removeFirst(4) }
        if ["end: success", "end:success", "ends in success", "end in success", "use case ends in success", "use case ends successfully",
            "use case succeeds"].contains(words) { return .success }
        if ["end: failure", "end:failure", "ends in failure", "end in failure", "use case ends in failure", "use case ends",
            "use case fails", "use case ends unsuccessfully", "use case terminates"].contains(words) { return .failure }
        // "Resume at 2", "Resume at step 2", "Go to step 2", "Back to step 2", "Return to step 2".
        for lead in ["resume at ", "resume with ", "go to ", "goto ", "back to ", "return to ", "continue at ", "continue with "]
        where words.hasPrefix(lead) {
            let resume = lead.hasPrefix("resume")
            var rest = words.dropFirst(lead.count).drop { $0 == " " }
            if rest.hasPrefix("step ") { rest = rest.dropFirst(5).drop { $0 == " " } } else if !resume { return nil }
            // (A decimal outline's "Resume at 1.2" names its step 1.2.)
            guard let f = rest.first, f.isNumber, rest.last?.isNumber == true || rest.last?.isLetter == true,
                  rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") }), !rest.contains("..") else { return nil }
            return .resume(Fullwidth.halfwidthNumber(String(rest)))
        }
        if ["用例结束", "流程结束", "用例终止", "流程终止", "用例失败", "流程失败"].contains(written) { return .failure }
        if ["用例成功结束", "流程成功结束", "用例成功", "流程成功"].contains(written) { return .success }
        for lead in ["跳转到", "转到", "转至", "跳到", "跳转至"] where written.hasPrefix(lead) {
            if case .resume(_, let rest)? = TreeBuilder.chineseEnding("回到" + written.dropFirst(lead.count)), !rest.isEmpty {
                return .resume(Fullwidth.halfwidthNumber(rest))
            }
        }
        switch TreeBuilder.chineseEnding(written) {
        case .success?: return .success
        case .failure?: return .failure
        case .next?: return .next
        case .resume(_, let rest)?:
            return rest.isEmpty ? nil : .resume(Fullwidth.halfwidthNumber(rest))
        case nil: return nil
        }
    }

    /// A step that ends its extension in the same line ("System shows an error; resume at step
    /// 1.", "系统提示错误，返回第1步"): the step's text and the ending.
    static func trailingEnding(_ text: String) -> (String, ParsedEnding)? {
        guard text.unicodeScalars.contains(where: { $0 == ";" || $0 == "；" || $0 == "，" || $0 == "," }) else { return nil }
        for separator in ["; ", "；", "，", ", "] {
            guard let range = text.range(of: separator, options: .backwards) else { continue }
            let step = String(text[..<range.lowerBound]).trimmingSpaces
            if !step.isEmpty, let ending = ending(String(text[range.upperBound...])) { return (step, ending) }
        }
        return nil
    }

    /// A heading's or a condition's text without its final colons (":" or "：").
    static func withoutColons(_ text: String) -> String {
        var t = text.trimmingSpaces
        while t.hasSuffix(":") || t.hasSuffix("：") { t.removeLast() }
        return t.trimmingSpaces
    }

    /// A condition as its line writes it: the kind its marker gives, if any, and its text
    /// without the marker and the final colon ("[exception] The bank does not answer:").
    static func conditionLine(_ text: String) -> (ExtensionKind?, String) { kindMarker(withoutColons(text)) }

    /// "[exception]" or "【异常】" before a condition: the kind it marks, and the text after it.
    static func kindMarker(_ text: String) -> (ExtensionKind?, String) {
        let lower = text.lowercased()
        for (marker, kind, _) in TreeBuilder.markers where lower.hasPrefix(marker) {
            return (kind, String(text.dropFirst(marker.count)).trimmingSpaces)
        }
        return (nil, text)
    }

    /// A leading `[condition]`, `【condition】` or `［condition］` (after an optional `[exception]`),
    /// its kind, and the text after it.
    static func condition(_ text: String) -> (ExtensionKind, String, String)? {
        let (marked, text) = kindMarker(text)
        let pairs: [Character: Character] = ["[": "]", "【": "】", "［": "］"]
        guard let open = text.first, let close = pairs[open], let end = text.firstIndex(of: close) else {
            // "[exception] Bank does not answer" with no second bracket: the rest is the condition.
            return marked.map { ($0, text, "") }
        }
        let condition = String(text[text.index(after: text.startIndex)..<end]).trimmingSpaces
        return (marked ?? .alternative, condition, String(text[text.index(after: end)...]).trimmingSpaces)
    }
}
