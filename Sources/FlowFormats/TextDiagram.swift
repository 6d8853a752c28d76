import FlowCore

/// A use case drawn as a picture for a terminal: each step a box with its label wrapped inside
/// (never cut), the main line running down with arrows, a decision (◆) where a step has
/// extensions, each extension's condition on its branch and its steps beside the main line, ends
/// in success (✓) and failure (✗), and arrows in a gutter on the right back (or forward) to the
/// step an extension resumes at. Widths are terminal columns (CJK and emoji take two). With
/// `ascii`, only ASCII characters are used, for terminals that are not UTF-8.
///
/// The editor's detail pane shows it for the use case under the cursor (`boxes` tells where each
/// step is, to highlight it and scroll to it); `flowsmith export --format text` prints it for
/// every use case.
public struct TextDiagram: Sendable, Equatable {
    /// Where a node is drawn: its rows and columns (half-open), for highlighting and scrolling.
    public struct Box: Sendable, Equatable {
        public var rows: Range<Int>
        public var columns: Range<Int>
    }

    public var lines: [String]
    public var boxes: [NodeID: Box]

    /// The narrowest width a diagram is drawn at; a narrower request gets this.
    public static let minimumWidth = 24

    /// The whole flow, one use case after another, for `flowsmith export --format text`.
    public static func write(_ flow: Flow, width: Int = 80, ascii: Bool = false) -> String {
        var out: [String] = []
        let glyphs = Glyphs(ascii: ascii, wording: flow.effectiveWording)
        if !flow.title.isEmpty {
            out += wrap(LabelText.visibleLine(flow.title), max(minimumWidth, width))
            out.append(String(repeating: glyphs.double, count: min(max(minimumWidth, width), max(4, out.map(DisplayWidth.of).max() ?? 4))))
            out.append("")
        }
        for (i, uc) in flow.useCases.enumerated() {
            if i > 0 { out.append("") }
            out += draw(flow, useCase: uc, width: width, ascii: ascii).lines
        }
        if flow.useCases.isEmpty { out.append("(no use cases)") }
        return out.joined(separator: "\n") + "\n"
    }

    /// One use case, `width` columns wide at most. With `limit`, at most that many steps are
    /// drawn, then a line says how many more there are (the editor's pane on a huge use case).
    public static func draw(_ flow: Flow, useCase uc: NodeID, width: Int, ascii: Bool = false, limit: Int = .max) -> TextDiagram {
        // Each nested extension is five columns further right: the width bounds the depth drawn.
        var drawer = Drawer(flow: flow, width: min(1_000, max(minimumWidth, width)), glyphs: Glyphs(ascii: ascii, wording: flow.effectiveWording))
        drawer.limit = limit
        drawer.drawUseCase(uc)
        return TextDiagram(lines: drawer.canvas.lines(), boxes: drawer.boxes)
    }

    /// Splits text into lines of at most `width` columns: at spaces where it can, anywhere inside
    /// a run longer than a line (Chinese has no spaces), never starting a line with a closing mark.
    /// Never drops a character.
    public static func wrap(_ text: String, _ width: Int) -> [String] {
        DisplayWidth.wrap(text, max(1, width))
    }
}

extension LabelText {
    /// A label on one line: breaks become spaces, controls their pictures.
    static func visibleLine(_ label: String) -> String {
        var out = ""
        for p in pieces(label) {
            switch p {
            case .text(let u): out.unicodeScalars.append(u)
            case .lineBreak: out.append(" ")
            }
        }
        return out
    }
}

/// The characters a diagram is drawn with, and its words in the flow's language (`Wording`).
struct Glyphs {
    let h, v, tl, tr, bl, br, teeDown, teeRight, cross, down, right, left, decision, double: String
    let success, failure, resumeArrow, goesOnArrow, more: String
    let wording: Wording

    init(ascii: Bool, wording: Wording = .english) {
        self.wording = wording
        if ascii {
            (h, v, tl, tr, bl, br, teeDown, teeRight, cross) = ("-", "|", "+", "+", "+", "+", "+", "+", "+")
            (down, right, left, decision, double) = ("v", ">", "<", "*", "=")
            (success, failure, resumeArrow, goesOnArrow, more) = ("(ok) " + wording.success, "(x) " + wording.failure, "<-", "->", "...")
        } else {
            (h, v, tl, tr, bl, br, teeDown, teeRight, cross) = ("─", "│", "┌", "┐", "└", "┘", "┬", "├", "┼")
            (down, right, left, decision, double) = ("▼", "▶", "◀", "◆", "═")
            (success, failure, resumeArrow, goesOnArrow, more) = ("✓ " + wording.success, "✗ " + wording.failure, "↩", "↪", "…")
        }
    }

    /// Where a scenario goes when it is done: the end it reaches, or the step it resumes at
    /// (`jumps`: drawn as a jump back or ahead) or goes on to.
    func end(_ exit: Destination, jumps: Bool, number: (NodeID) -> String) -> String {
        switch exit {
        case .success: return success
        case .failure: return failure
        case .step(let id): return jumps ? resumeArrow + " " + wording.resumeAt(number(id)) : goesOnArrow + " " + wording.onTo(number(id))
        case .unknown(let written):
            let w = LabelText.visibleLine(written)
            return resumeArrow + " " + wording.resumeAt(w) + (wording == .english ? " (no such step)" : "（没有这一步）")
        }
    }

    /// A use case's heading: "Use case 2: TITLE" / "用例 2：TITLE".
    func useCaseTitle(_ number: String?, _ title: String) -> String {
        guard let number else { return title }
        return wording.useCaseHeading(number, title)
    }
}

/// A grid of terminal cells; a wide character takes its cell and an empty one after it. Cells
/// are numbers into a table of the graphemes used (four bytes a cell), so a use case of
/// thousands of steps draws in little memory.
struct Canvas {
    private var rows: [[UInt32]] = []
    private var table: [String] = [" ", ""]
    private var numbers: [String: UInt32] = [" ": 0, "": 1]
    let width: Int

    init(width: Int) { self.width = width }

    var height: Int { rows.count }

    mutating func ensure(_ row: Int) {
        while rows.count <= row { rows.append(Array(repeating: 0, count: width)) }
    }

    private mutating func number(_ s: String) -> UInt32 {
        if let n = numbers[s] { return n }
        let n = UInt32(table.count)
        table.append(s)
        numbers[s] = n
        return n
    }

    /// Writes text from column `x`; what does not fit in the width is left out (callers wrap first).
    mutating func put(_ text: String, row: Int, x: Int) {
        ensure(row)
        var col = x
        for c in text {
            let w = DisplayWidth.of(c)
            guard w > 0 else {
                // A combining mark joins the character before it.
                if col > 0 { rows[row][col - 1] = number(table[Int(rows[row][col - 1])] + String(c)) }
                continue
            }
            guard col + w <= width else { return }
            if col > 0 && rows[row][col] == 1 { rows[row][col - 1] = 0 }
            rows[row][col] = number(String(c))
            if w == 2 { rows[row][col + 1] = 1 }
            col += w
        }
    }

    func at(_ row: Int, _ col: Int) -> String {
        row < rows.count && col < width ? table[Int(rows[row][col])] : " "
    }

    func lines() -> [String] {
        rows.map { r in
            var s = r.map { table[Int($0)] }.joined()
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
    }
}

/// Lays one use case out, top to bottom.
private struct Drawer {
    let flow: Flow
    let glyphs: Glyphs
    var canvas: Canvas
    var boxes: [NodeID: TextDiagram.Box] = [:]
    var row = 0
    /// Content stays left of this column; the resume arrows' lanes are to its right.
    var contentWidth: Int
    var lanes: Int
    var resumes: [(from: Int, fromColumn: Int, to: NodeID)] = []
    var limit = Int.max
    var drawn = 0

    /// The main line's column inside a scenario's boxes.
    static let lineOffset = 2

    init(flow: Flow, width: Int, glyphs: Glyphs) {
        self.flow = flow
        self.glyphs = glyphs
        canvas = Canvas(width: width)
        contentWidth = width
        lanes = 0
    }

    mutating func drawUseCase(_ uc: NodeID) {
        guard let node = flow[uc] else { return }
        // Room for a lane per resume arrow, as many as fit beside boxes worth reading.
        let jumps = flow.descendants(of: uc).filter { jumpTarget($0) != nil }.count
        lanes = min(jumps, max(0, (canvas.width - 30) / 3))
        contentWidth = canvas.width - (lanes > 0 ? lanes * 2 + 1 : 0)
        let title = glyphs.useCaseTitle(flow.number(of: uc), LabelText.visibleLine(node.text))
        for line in TextDiagram.wrap(title, contentWidth) { canvas.put(line, row: row, x: 0); row += 1 }
        row += 1
        if flow.children(of: uc).isEmpty {
            canvas.put("(no steps)", row: row, x: 0)
            row += 1
        } else {
            drawScenario(uc, x: 0, width: contentWidth, depth: 0)
        }
        if drawn >= limit {
            let total = flow.descendants(of: uc).filter { flow[$0]?.kind == .step }.count
            row += 1
            let note = "… \(total - drawn) more steps not drawn here; flowsmith export --format text draws them all"
            for line in TextDiagram.wrap(note, contentWidth) { canvas.put(line, row: row, x: 0); row += 1 }
        }
        drawResumeArrows()
    }

    /// Where an extension's resume jumps to, when it is not simply the step after the extended
    /// one (that is "going on", drawn without an arrow).
    func jumpTarget(_ ext: NodeID) -> NodeID? {
        guard let n = flow[ext], case .resume(let target) = n.ending, let step = n.parent else { return nil }
        let to = flow.resolve(target, from: ext)
        guard case .step(let id) = to, to != flow.destination(after: step) else { return nil }
        return id
    }

    /// A scenario's steps as a column of boxes `width` wide at most, from column `x`.
    mutating func drawScenario(_ scenario: NodeID, x: Int, width: Int, depth: Int) {
        let steps = flow.children(of: scenario)
        let labels = steps.map { step in
            ((flow.number(of: step) ?? "?") + ". ", LabelText.visibleLine(flow[step]?.text ?? ""))
        }
        // One box width for the whole column; the line runs down near the left edge, so that
        // extensions have most of the width beside it.
        let widest = labels.map { DisplayWidth.of($0.0) + DisplayWidth.of($0.1) }.max() ?? 0
        let boxWidth = max(8, min(width, widest + 4))
        let center = x + Drawer.lineOffset
        for (i, step) in steps.enumerated() {
            guard drawn < limit else { return }
            drawn += 1
            if i > 0 {
                canvas.put(glyphs.down, row: row, x: center)
                row += 1
            }
            drawBox(step, prefix: labels[i].0, text: labels[i].1, x: x, width: boxWidth)
            let exts = flow.children(of: step)
            for (j, ext) in exts.enumerated() where drawn < limit {
                drawExtension(ext, first: j == 0, mainColumn: center, x: x, width: width, depth: depth)
            }
        }
        // Where the scenario ends.
        canvas.put(glyphs.down, row: row, x: center)
        row += 1
        var jumps = false
        if let node = flow[scenario], case .resume = node.ending, jumpTarget(scenario) != nil { jumps = true }
        let end = glyphs.end(flow.exit(of: scenario), jumps: jumps) { flow.number(of: $0) ?? "?" }
        let endX = center
        for (k, line) in TextDiagram.wrap(end, max(4, x + width - endX)).enumerated() {
            canvas.put(line, row: row, x: endX)
            if k == 0, let target = jumpTarget(scenario), lanes > 0 {
                resumes.append((row, endX + DisplayWidth.of(line) + 1, target))
            }
            row += 1
        }
    }

    mutating func drawBox(_ step: NodeID, prefix: String, text: String, x: Int, width: Int) {
        let inner = width - 4
        let prefixWidth = DisplayWidth.of(prefix)
        var lines: [String] = []
        if prefixWidth + 8 <= inner {
            let body = TextDiagram.wrap(text, inner - prefixWidth)
            lines = body.enumerated().map { ($0.offset == 0 ? prefix : String(repeating: " ", count: prefixWidth)) + $0.element }
        } else {
            lines = TextDiagram.wrap(prefix + text, inner)
        }
        let top = row
        let bar = String(repeating: glyphs.h, count: width - 2)
        canvas.put(glyphs.tl + bar + glyphs.tr, row: row, x: x)
        row += 1
        for line in lines {
            canvas.put(glyphs.v, row: row, x: x)
            canvas.put(line, row: row, x: x + 2)
            canvas.put(glyphs.v, row: row, x: x + width - 1)
            row += 1
        }
        canvas.put(glyphs.bl + bar + glyphs.br, row: row, x: x)
        // The main line leaves the box near its left edge.
        canvas.put(glyphs.teeDown, row: row, x: x + Drawer.lineOffset)
        row += 1
        boxes[step] = TextDiagram.Box(rows: top..<row, columns: x..<(x + width))
    }

    /// An extension: its branch off the main line with the condition, then its steps beside the
    /// main line, which runs on down at `mainColumn`.
    mutating func drawExtension(_ ext: NodeID, first: Bool, mainColumn: Int, x: Int, width: Int, depth: Int) {
        guard let node = flow[ext] else { return }
        let start = row
        let number = flow.number(of: ext) ?? "?"
        let kind = node.extensionKind == .exception ? glyphs.wording.exceptionMarker + " " : ""
        let labelX = mainColumn + 4
        let room = x + width - labelX
        let branch = (first ? glyphs.decision : glyphs.teeRight) + glyphs.h + glyphs.right + " "
        if room >= 8 {
            let label = TextDiagram.wrap(number + ". " + kind + LabelText.visibleLine(node.text), room)
            canvas.put(branch, row: row, x: mainColumn)
            for line in label {
                canvas.put(line, row: row, x: labelX)
                row += 1
            }
            boxes[ext] = TextDiagram.Box(rows: start..<row, columns: labelX..<(x + width))
            let nestedX = mainColumn + 4
            let nestedWidth = x + width - nestedX
            if nestedWidth >= 12 {
                if flow.children(of: ext).isEmpty {
                    // No steps: straight to where it ends.
                    drawEndOnly(ext, x: nestedX, width: nestedWidth)
                } else {
                    drawScenario(ext, x: nestedX, width: nestedWidth, depth: depth + 1)
                }
            } else {
                canvas.put(glyphs.more, row: row, x: nestedX)
                row += 1
            }
        } else {
            canvas.put(branch + glyphs.more, row: row, x: mainColumn)
            boxes[ext] = TextDiagram.Box(rows: start..<(row + 1), columns: mainColumn..<(x + width))
            row += 1
        }
        // The main line runs down beside the extension.
        for r in (start + 1)..<row where canvas.at(r, mainColumn) == " " {
            canvas.put(glyphs.v, row: r, x: mainColumn)
        }
    }

    mutating func drawEndOnly(_ ext: NodeID, x: Int, width: Int) {
        let end = glyphs.end(flow.exit(of: ext), jumps: jumpTarget(ext) != nil) { flow.number(of: $0) ?? "?" }
        canvas.put(glyphs.down, row: row, x: x + Drawer.lineOffset)
        row += 1
        let line = TextDiagram.wrap(end, width).first ?? end
        canvas.put(line, row: row, x: x)
        if let target = jumpTarget(ext), lanes > 0 {
            resumes.append((row, x + DisplayWidth.of(line) + 1, target))
        }
        row += 1
    }

    /// Each resume gets a lane right of the content: from its end marker out to the lane, along
    /// it to the target box's first text row, and in with an arrowhead.
    mutating func drawResumeArrows() {
        for (k, jump) in resumes.prefix(lanes).enumerated() {
            guard let box = boxes[jump.to] else { continue }
            let lane = contentWidth + 1 + 2 * k
            let targetRow = box.rows.lowerBound + 1
            let (top, bottom) = (min(jump.from, targetRow), max(jump.from, targetRow))
            for r in (top + 1)..<bottom { mark(r, lane, glyphs.v, crossing: glyphs.cross) }
            // Out from the end marker.
            for c in jump.fromColumn..<lane { mark(jump.from, c, glyphs.h, crossing: glyphs.cross) }
            // In to the target.
            for c in box.columns.upperBound..<lane { mark(targetRow, c, glyphs.h, crossing: glyphs.cross) }
            canvas.put(glyphs.left, row: targetRow, x: box.columns.upperBound)
            let up = targetRow < jump.from
            let ascii = glyphs.h == "-"
            let corner = { (goingDown: Bool) -> String in ascii ? "+" : goingDown ? "┐" : "┘" }
            canvas.put(corner(!up), row: jump.from, x: lane)
            canvas.put(corner(up), row: targetRow, x: lane)
        }
    }

    mutating func mark(_ r: Int, _ c: Int, _ glyph: String, crossing: String) {
        let here = canvas.at(r, c)
        if here == " " || here == glyph { canvas.put(glyph, row: r, x: c) }
        else if here == glyphs.h || here == glyphs.v { canvas.put(crossing, row: r, x: c) }
        else if glyph == glyphs.h && (here == "┐" || here == "┘") { canvas.put(here == "┐" ? "┬" : "┴", row: r, x: c) }
    }
}
