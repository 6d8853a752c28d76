import FlowCore
import FlowFormats

/// Draws the state into a screen: a pure function, so every frame can be checked as text.
public enum Render {
    public static let minWidth = 24
    public static let minHeight = 6

    public static func screen(_ state: AppState) -> Screen {
        var s = state
        s.drawnWording = state.flow.effectiveWording
        guard s.width >= minWidth, s.height >= minHeight else {
            var screen = Screen(width: s.width, height: s.height)
            tooSmall(s, &screen)
            return screen
        }
        var screen = Screen(width: s.width, height: s.height, style: s.theme[.normal])
        let treeWidth = s.showDetail && s.detailOnRight ? s.width - s.width * 2 / 5 : s.width
        tree(s, width: treeWidth, &screen)
        if s.showDetail {
            if s.detailOnRight {
                detail(s, x: treeWidth, y: 0, width: s.width - treeWidth, height: s.height - 1, vertical: true, &screen)
            } else {
                detail(s, x: 0, y: s.treeHeight, width: s.width, height: s.height - 1 - s.treeHeight, vertical: false, &screen)
            }
        }
        status(s, &screen)
        switch s.mode {
        case .help(let scroll): help(s, scroll: scroll, &screen)
        case .locked(let owner, _):
            let name = s.path.map { ($0 as String).split(separator: "/").last.map(String.init) ?? $0 } ?? "this file"
            box(s, title: "Already open", lines: [
                ("\(name) is open in another editor: process \(owner.pid) on \(owner.host), since \(owner.since).", .help),
                ("", .help),
                ("o  open it read-only", .helpKey),
                ("e  edit it anyway (saves may overwrite each other)", .helpKey),
                ("q  quit", .helpKey),
            ], &screen)
        case .recoveryOffer(let recovery):
            let name = s.path.map { ($0 as String).split(separator: "/").last.map(String.init) ?? $0 } ?? "this file"
            box(s, title: "Unsaved changes found", lines: [
                ("\(name) has unsaved changes from \(recovery.written) (the editor ended before saving them).", .help),
            ] + (recovery.changedSince ? [
                ("\(name) has changed on disk since then: recovering puts these changes over what changed there (d shows the difference).", .problem),
            ] : []) + [
                ("", .help),
                ("r  recover them (then \(s.key(.save)) saves)", .helpKey),
                ("d  show the difference", .helpKey),
                ("x  discard them", .helpKey),
                ("q  quit and decide later", .helpKey),
            ], &screen)
        case .recoveryDiff(_, let lines, let scroll):
            diff(s, lines: lines, scroll: scroll, &screen)
        case .loadFailed(let path, let errors):
            let shown = errors.prefix(50)
            box(s, title: "Not opened", lines: [("\(path) has mistakes, so it was not opened and nothing in it can be lost:", .help), ("", .help)]
                + shown.map { ($0, .problem) }
                + (errors.count > 50 ? [("… and more: flowsmith check \(path) lists them all", .problem)] : [])
                + [("", .help), ("Fix them (flowsmith check \(path) lists them again) and open it again. Any key quits.", .helpKey)], &screen)
        default: break
        }
        return screen
    }

    static func tooSmall(_ s: AppState, _ screen: inout Screen) {
        let lines = ["terminal too small", "\(s.width)×\(s.height), need \(minWidth)×\(minHeight)"]
        for (i, line) in lines.enumerated() where i < s.height {
            let w = DisplayWidth.of(line)
            screen.put(line, x: max(0, (s.width - w) / 2), y: max(0, s.height / 2 - 1) + i, style: s.theme[.normal])
        }
    }

    // MARK: The tree

    static func tree(_ s: AppState, width: Int, _ screen: inout Screen) {
        guard let top = s.top else {
            screen.put("No use cases yet: \(s.key(.addUseCase)) adds one, \(s.key(.help)) lists the keys", x: 1, y: 0, style: s.theme[.folded], limit: width - 1)
            return
        }
        let rows = s.rows
        var y = 0
        var ghostsDone = s.suggestions == nil
        var insideAnchor = false
        for id in rows.window(from: top, count: s.treeHeight) {
            if let current = s.suggestions, !ghostsDone {
                let directlyAfter = current.point.index == 0 && current.point.parent == current.anchor && current.point.kind != .draft
                let inSubtree = s.flow.isAncestor(current.anchor, of: id)
                if insideAnchor && (!inSubtree || directlyAfter) {
                    y += ghosts(current, y: y, width: width, s, &screen)
                    ghostsDone = true
                }
                insideAnchor = inSubtree
            }
            guard y < s.treeHeight else { break }
            row(id, y: y, width: width, rows: rows, s, &screen)
            y += 1
        }
        if let current = s.suggestions, !ghostsDone, insideAnchor, y < s.treeHeight {
            _ = ghosts(current, y: y, width: width, s, &screen)
        }
    }

    /// Suggestions as dimmed rows where they would go, wrapped so the whole text shows; the
    /// first says which candidate this is (the keys are in the status bar).
    static func ghosts(_ current: AppState.Suggestions, y: Int, width: Int, _ s: AppState, _ screen: inout Screen) -> Int {
        let style = s.theme[.ghost]
        let lines = ghostLines(current, width: width, s)
        for (i, line) in lines.enumerated() where y + i < s.treeHeight {
            screen.fill(x: 0, y: y + i, width: width, height: 1, style: s.theme[.normal])
            let x = screen.put(line.text, x: line.x, y: y + i, style: style, limit: width - line.x)
            screen.put(line.suffix, x: line.x + x, y: y + i, style: s.theme[.folded], limit: width - line.x - x)
        }
        return min(lines.count, s.treeHeight - y)
    }

    /// The ghost rows as laid out at this width: label and text, wrapped under the text's start.
    static func ghostLines(_ current: AppState.Suggestions, width: Int, _ s: AppState) -> [(x: Int, text: String, suffix: String)] {
        var out: [(Int, String, String)] = []
        for (i, ghost) in Suggesting.ghostRows(current, s).enumerated() {
            let x = ghost.depth * 2 + 2
            let label = ghost.label.isEmpty ? "" : ghost.label + " "
            let textX = x + DisplayWidth.of(label)
            let suffix = i == 0 && !current.candidates.isEmpty
                ? "  (\(current.index + 1)/\(current.candidates.count)\(current.loading ? "…" : ""))" : ""
            // The counter goes after the text's last line, never on a line of its own: when it
            // does not fit there, the text is wrapped narrower.
            let room = max(8, width - textX - 1)
            var wrapped = wrap(ghost.text, room)
            if let last = wrapped.last, DisplayWidth.of(last) + DisplayWidth.of(suffix) > room {
                wrapped = wrap(ghost.text, max(8, room - DisplayWidth.of(suffix)))
            }
            for (j, part) in wrapped.enumerated() {
                let counter = j == wrapped.count - 1 ? suffix : ""
                out.append(j == 0 ? (x, label + part, counter) : (textX, part, counter))
            }
        }
        return out
    }

    static func row(_ id: NodeID, y: Int, width: Int, rows: Rows, _ s: AppState, _ screen: inout Screen) {
        guard let node = s.flow[id] else { return }
        let selected = id == s.cursor
        let base = selected ? s.theme[.cursor] : s.theme[.normal]
        func style(_ role: Theme.Role) -> Style {
            guard selected else { return s.theme[role] }
            var st = s.theme[role]
            let cursor = s.theme[.cursor]
            st.bg = cursor.bg
            st.reverse = st.reverse != cursor.reverse
            // A colour the same as the cursor row's background would vanish (bright white on the
            // high-contrast theme's bright white): the cursor's own colour is used instead.
            if st.fg == cursor.bg && cursor.bg != .default { st.fg = cursor.fg }
            return st
        }
        screen.fill(x: 0, y: y, width: width, height: 1, style: base)
        var x = rows.depth(id) * 2
        let marker = node.children.isEmpty ? "  " : s.folded.contains(id) ? "▸ " : "▾ "
        x += screen.put(marker, x: x, y: y, style: style(.number), limit: width - x)
        let number = node.kind == .useCase ? "" : (shownNumber(id, s) ?? "?") + ". "
        x += screen.put(number, x: x, y: y, style: style(.number), limit: width - x)
        if node.kind == .extension && node.extensionKind == .exception {
            x += screen.put("! ", x: x, y: y, style: style(.exception), limit: width - x)
        }
        let textRole: Theme.Role = switch node.kind {
        case .useCase: .useCase
        case .step: .normal
        case .extension: node.extensionKind == .exception ? .exception : .extension
        }
        if case .editing(let session) = s.mode, session.target == id {
            editing(session.editor, x: x, y: y, width: width, style: style(textRole), &screen)
            if session.editor.text.isEmpty {
                var hint = style(.folded)
                hint.underline = true
                screen.put(placeholder(node.kind, s.wording), x: x, y: y, style: hint, limit: max(1, width - x - 1))
            }
            return
        }
        let suffix = suffixText(node, s)
        let room = max(1, width - x - DisplayWidth.of(suffix.text))
        let used = text(node.text, x: x, y: y, room: room, style: style(textRole), match: style(.match), s, &screen)
        if !suffix.text.isEmpty {
            screen.put(suffix.text, x: x + used, y: y, style: style(suffix.role), limit: width - x - used)
        }
    }

    /// What an empty label being edited asks for (N, o, x make one), dimmed until the first
    /// character is typed; the cursor stays at its start.
    /// What an empty new row is for, with an example in the document's language.
    static func placeholder(_ kind: NodeKind, _ wording: Wording = .english) -> String {
        switch (kind, wording) {
        case (.useCase, .english): "use case title, e.g. Submit an expense claim"
        case (.step, .english): "step, e.g. Customer enters the delivery address"
        case (.extension, .english): "condition, e.g. The card is declined"
        case (.useCase, .chinese): "用例标题，例如：提交报销单"
        case (.step, .chinese): "步骤，例如：客户填写收货地址"
        case (.extension, .chinese): "条件，例如：银行卡被拒绝"
        }
    }

    /// A row's number as it reads while suggestions show: the rows after ghost rows in the same
    /// scenario (or, for conditions, the step's later extensions) count on past them, so no two
    /// rows read "3." at once.
    static func shownNumber(_ id: NodeID, _ s: AppState) -> String? {
        guard let number = s.flow.number(of: id) else { return nil }
        guard let current = s.suggestions, !current.candidates.isEmpty, current.shownEnding == nil else { return number }
        let point = current.point
        let shift = point.kind == .draft ? (current.candidates[current.index].split(separator: "\n").count) : 1
        // The child of the insertion point's parent that `id` is, or is under.
        var child = id
        while let parent = s.flow[child]?.parent, parent != point.parent { child = parent }
        guard s.flow[child]?.parent == point.parent, let k = s.flow.index(of: child), k >= point.index,
              let own = s.flow.number(of: child) else { return number }
        let prefix = s.flow[point.parent]?.kind == .useCase ? "" : (s.flow.number(of: point.parent) ?? "")
        let shifted = prefix + (point.kind == .conditions ? Numbering.letters(k + shift) : String(k + 1 + shift))
        return shifted + number.dropFirst(own.count)
    }

    /// The label, with the search match shown; an empty label shows a hint in the dim style.
    static func text(_ label: String, x: Int, y: Int, room: Int, style: Style, match: Style,
                     _ s: AppState, _ screen: inout Screen) -> Int {
        if label.isEmpty { return screen.put("(empty)", x: x, y: y, style: s.theme[.folded], limit: room) }
        let query: String? = {
            if case .search(let e, _) = s.mode { return e.string }
            return s.searchShown ? s.lastSearch : nil
        }()
        guard let q = query, !q.isEmpty, let r = caseInsensitiveRange(of: q, in: label),
              DisplayWidth.of(label) <= room else {
            return screen.put(label, x: x, y: y, style: style, limit: room)
        }
        var used = screen.put(String(label[..<r.lowerBound]), x: x, y: y, style: style, limit: room)
        used += screen.put(String(label[r]), x: x + used, y: y, style: match, limit: room - used)
        used += screen.put(String(label[r.upperBound...]), x: x + used, y: y, style: style, limit: room - used)
        return used
    }

    static func caseInsensitiveRange(of query: String, in text: String) -> Range<String.Index>? {
        let q = Array(query.lowercased())
        var i = text.startIndex
        while i < text.endIndex {
            var j = i
            var k = 0
            while k < q.count, j < text.endIndex, Array(text[j].lowercased()) == [q[k]] || String(text[j]).lowercased() == String(q[k]) {
                j = text.index(after: j)
                k += 1
            }
            if k == q.count { return i..<j }
            i = text.index(after: i)
        }
        return nil
    }

    static func suffixText(_ node: Node, _ s: AppState) -> (text: String, role: Theme.Role) {
        let ending = endingText(node, s)
        if s.folded.contains(node.id) {
            let hidden = hiddenSteps(node.id, s.flow)
            // Extensions with no steps yet are what is hidden then, not "+0 steps".
            let extensions = hidden.count == 0 ? s.flow.children(of: node.id).filter { s.flow[$0]?.kind == .extension }.count : 0
            if extensions > 0 { return (ending.text + "  (+\(counted(extensions, "extension")))", .folded) }
            return (ending.text + "  (+\(hidden.count)\(hidden.capped ? "+" : "") step\(hidden.count == 1 ? "" : "s"))", .folded)
        }
        return ending
    }

    static func endingText(_ node: Node, _ s: AppState) -> (text: String, role: Theme.Role) {
        guard node.kind == .extension else { return ("", .normal) }
        switch node.ending {
        case .resumeNext: return ("", .ending)
        case .success: return ("  ✓ " + s.wording.success, .success)
        case .failure: return ("  ✗ " + s.wording.failure, .failure)
        case .resume(let t):
            switch s.flow.resolve(t, from: node.id) {
            // As the target's row reads: renumbered past any ghost rows shown before it.
            case .step(let target): return ("  → \(shownNumber(target, s) ?? "?")", .ending)
            default:
                if case .unresolved(let w) = t { return ("  → \(w)?", .problem) }
                return ("  → ?", .problem)
            }
        }
    }

    /// Steps under a folded row, counted up to a cap so drawing stays fast on huge flows.
    static func hiddenSteps(_ id: NodeID, _ flow: Flow) -> (count: Int, capped: Bool) {
        var count = 0
        var stack = flow.children(of: id)
        while let n = stack.popLast() {
            if flow[n]?.kind == .step { count += 1 }
            if count >= 9999 { return (count, true) }
            stack.append(contentsOf: flow.children(of: n))
        }
        return (count, false)
    }

    /// The line editor in place: scrolled sideways so the cursor always shows.
    static func editing(_ editor: LineEditor, x: Int, y: Int, width: Int, style: Style, _ screen: inout Screen) {
        var edit = style
        edit.underline = true
        let room = max(1, width - x - 1)
        // Scrolled so the cursor shows: walk back from it while the characters still fit (one
        // pass, however long the label).
        // The character under the cursor shows whole, and so does the "…" after it when the
        // text goes on (a wide character under the cursor was drawn as "…").
        let chars = editor.text
        var start = editor.cursor
        var used = 0
        let under = editor.cursor < chars.count ? max(1, DisplayWidth.of(chars[editor.cursor])) : 1
        let budget = room - under - (editor.cursor + 1 < chars.count ? 1 : 0)
        while start > 0 {
            let w = DisplayWidth.of(chars[start - 1])
            if used + w > budget { break }
            used += w
            start -= 1
        }
        let visible = String(chars[start..<min(chars.count, start + room * 2 + 2)])
        screen.fill(x: x, y: y, width: room, height: 1, style: edit)
        // Text offered whole shows reversed, as selected text does: typing replaces it.
        var shown = edit
        shown.reverse = editor.selected
        screen.put(visible, x: x, y: y, style: shown, limit: room)
        screen.cursor = (x + DisplayWidth.of(String(chars[start..<editor.cursor])), y)
    }

    // MARK: The detail pane

    static func detail(_ s: AppState, x: Int, y: Int, width: Int, height: Int, vertical: Bool, _ screen: inout Screen) {
        guard width > 2, height > 0 else { return }
        let border = s.theme[.border]
        if vertical {
            for row in y..<(y + height) { screen.put("│", x: x, y: row, style: border) }
        } else {
            screen.put(String(repeating: "─", count: width), x: x, y: y, style: border)
        }
        let left = vertical ? x + 2 : x + 1
        let innerWidth = width - (vertical ? 3 : 2)
        var lines: [(String, Theme.Role)] = []
        // Labels and fields are the file's text: controls become pictures before wrapping, so
        // the widths wrapping counts are the widths drawn.
        func add(_ text: String, _ role: Theme.Role) { lines += wrap(Sanitize.line(text), innerWidth).map { ($0, role) } }
        if let c = s.cursor, let node = s.flow[c] {
            let number = s.flow.number(of: c)
            add(node.kind == .useCase && number != nil ? s.flow.effectiveWording.useCaseHeading(number!, node.text) : (number.map { "\($0). " } ?? "") + node.text,
                .detailTitle)
            if let uc = s.flow.useCase(of: c), let ucNode = s.flow[uc] {
                // The diagram names the use case itself and wants the rows, so with it the fields
                // show on the use case's own row; the sources show them on every row.
                if s.preview != .text && c != uc { add("in: " + ucNode.text, .folded) }
                if s.preview != .text || c == uc {
                    for f in ucNode.fields { add(f.name + f.separator + f.value, .detail) }
                }
                // A use case without fields: say how to give it some.
                if c == uc && ucNode.fields.isEmpty { add("No fields yet: :field Goal: … (or Primary actor, Preconditions …)", .folded) }
                // Derived data comes from a job `update` asked for (see `Detail`).
                let cache = Detail.current(s)
                let problems = cache?.problems ?? []
                lines.append(("", .detail))
                lines.append((cache == nil ? "Checking…" : problems.isEmpty ? "No problems" : "Problems (\(problems.count))", .detailTitle))
                for p in problems { lines += wrap("• " + p.message, innerWidth).map { ($0, .problem) } }
                lines.append(("", .detail))
                if s.preview == .text {
                    lines.append(("Diagram · t shows its source", .detailTitle))
                } else {
                    lines.append(("\(s.preview.title) · t switches", .detailTitle))
                }
                let top = vertical ? y : y + 1
                let room = height - (top - y) - lines.count
                if s.preview == .text, let diagram = cache?.diagram, room > 0 {
                    // The diagram scrolls so that the step under the cursor shows, highlighted.
                    let box = diagram.boxes[c]
                    var offset = 0
                    if let box, box.rows.upperBound > room {
                        offset = max(0, min(box.rows.lowerBound - 2, diagram.lines.count - room))
                    }
                    let first = top + lines.count
                    for (i, line) in diagram.lines.dropFirst(offset).prefix(room).enumerated() {
                        screen.put(line, x: left, y: first + i, style: s.theme[.detail], limit: innerWidth)
                    }
                    if let box {
                        for r in box.rows where r >= offset && r < offset + room {
                            let from = min(box.columns.lowerBound, innerWidth)
                            screen.restyle(x: left + from, y: first + r - offset,
                                           width: min(box.columns.upperBound, innerWidth) - from, style: s.theme[.cursor])
                        }
                    }
                } else {
                    for line in (cache?.preview ?? []).prefix(max(0, room)) { lines.append((line, .detail)) }
                }
            }
        }
        let top = vertical ? y : y + 1
        for (i, (line, role)) in lines.prefix(height - (top - y)).enumerated() {
            screen.put(line, x: left, y: top + i, style: s.theme[role], limit: innerWidth)
        }
    }

    /// Splits text into lines of at most `width` columns, at spaces where it can, by grapheme.
    static func wrap(_ text: String, _ width: Int) -> [String] {
        // Short words move to the next line whole; long runs (CJK has no spaces) fill this one.
        DisplayWidth.wrap(text, width, whole: min(15, width / 2))
    }

    // MARK: The status line

    static func status(_ s: AppState, _ screen: inout Screen) {
        let y = s.height - 1
        let bar = s.theme[.status]
        screen.fill(x: 0, y: y, width: s.width, height: 1, style: bar)
        func prompt(_ label: String, _ editor: LineEditor) {
            screen.fill(x: 0, y: y, width: s.width, height: 1, style: s.theme[.normal])
            let x = screen.put(label, x: 0, y: y, style: s.theme[.prompt])
            // What the prompt has to say (a mistake, "Not found") goes on the rows just above it.
            if let m = s.message { messageAbove(m, y: y, s, &screen) }
            editing(editor, x: x, y: y, width: s.width, style: s.theme[.normal], &screen)
        }
        switch s.mode {
        case .command(let e): return prompt(":", e)
        case .search(let e, _): return prompt("/", e)
        case .ending(let e, _):
            // What may be typed, said as fully as leaves room to see what is typed.
            let labels = ["Ending (next, success, failure or a step number): ", "Ending (n, s, f, step): ", "Ending: "]
            return prompt(labels.first { DisplayWidth.of($0) + 12 <= s.width } ?? labels[labels.count - 1], e)
        case .flowTitle(let e):
            return prompt("Flow title: ", e)
        case .confirmQuit:
            // Said whole at any width: shorter where the bar is narrow.
            let variants = [" Unsaved changes. y: save and quit · n: quit without saving · other keys: stay",
                            " Unsaved. y: save, quit · n: quit, drop them · other: stay", " Unsaved: y save · n drop · else stay",
                            " y save · n drop · else stay"]
            let text = variants.first { DisplayWidth.of($0) <= s.width } ?? variants[variants.count - 1]
            screen.put(text, x: 0, y: y, style: s.theme[.message])
            return
        default: break
        }
        let name = (s.path.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? "[no name]") + (s.isModified ? " [+]" : "") + (s.readOnly ? " [read-only]" : "")
        var x = screen.put(" " + name + " ", x: 0, y: y, style: s.theme[.statusKey])
        // The flow's title, after its file's name where there is room for it (a third of the
        // bar at most, cut with "…"): the file's text, so controls show as pictures.
        let title = Sanitize.line(s.flow.title)
        if title.contains(where: { !$0.isWhitespace }), s.width >= 60 {
            x += screen.put("· " + title, x: x, y: y, style: s.theme[.statusKey], limit: min(48, s.width / 3) - 1)
            x += screen.put(" ", x: x, y: y, style: s.theme[.statusKey])
        }
        let mode: String = switch s.mode {
        case .editing(let session): "EDIT · " + Self.editingWhat(session.target, s)
        case .help: "HELP"
        default: s.loading != nil ? "reading…" : s.pending.isEmpty ? "" : Bindings.name(s.pending) + "…"
        }
        x += screen.put(" " + s.position + (mode.isEmpty ? "" : "  " + mode) + " ", x: x, y: y, style: bar)
        if let query = s.lastSearch, s.searchShown {
            let at = s.searchPosition.flatMap { $0.node == s.cursor && $0.revision == s.history.revision ? " \($0.index)/\($0.total)" : nil } ?? ""
            x += screen.put(" /" + query + at + " n N ", x: x, y: y, style: s.theme[.statusKey], limit: max(0, s.width - x - 10))
        }
        // While suggestions show, the keys to take them always show too: shortened to fit, and
        // before any message, which then gets the room that is left (or the rows above).
        var right = s.width
        if let current = s.suggestions, !current.candidates.isEmpty {
            let (accept, more, next, previous, dismiss) = (s.key(.acceptSuggestion), s.key(.acceptAndContinue), s.key(.nextSuggestion),
                                                           s.key(.previousSuggestion), s.key(.rejectSuggestion))
            let caret = { (k: String) in k.hasPrefix("Ctrl-") ? "^" + k.dropFirst(5) : k }
            // "Ctrl-N/P" for two keys with the same modifier.
            let cycle = next.hasPrefix("Ctrl-") && previous.hasPrefix("Ctrl-") ? next + "/" + previous.dropFirst(5) : next + "/" + previous
            let variants = ["\(accept) accept · \(more) accept+next · \(cycle) cycle · \(dismiss) dismiss",
                            "\(accept) accept · \(more) +next · \(caret(next))/\(caret(previous)) · \(dismiss)",
                            "\(accept) ✓ · \(more) +next · \(dismiss) ✗", "\(accept) ✓ \(dismiss) ✗"]
            if let hint = variants.first(where: { DisplayWidth.of($0) + 1 <= s.width - x }) ?? variants.last {
                // On a very narrow bar the keys win over the position.
                let w = DisplayWidth.of(hint)
                right = max(0, s.width - w - 1)
                screen.fill(x: right, y: y, width: s.width - right, height: 1, style: bar)
                screen.put(hint, x: right, y: y, style: s.theme[.statusKey], limit: s.width - right)
            }
        }
        if let m = s.message {
            let style = s.theme[m.kind == .error ? .error : .message]
            if right >= x, DisplayWidth.of(m.text) + 1 <= right - x {
                screen.put(" " + m.text, x: x, y: y, style: style, limit: right - x)
            } else {
                // Too long for the bar: the whole message, wrapped, on the rows just above it.
                messageAbove(m, y: y, s, &screen)
            }
        } else if right == s.width {
            // The keys a newcomer needs, as many as fit ("? help" the last to go).
            let variants = if case .editing = s.mode { ["\(s.key(.textCommit)) keep · \(s.key(.textCancel)) cancel"] }
                else if s.suggestions != nil { ["\(s.key(.rejectSuggestion)) dismiss"] }
                else {
                    ["\(s.key(.help)) help · \(s.key(.addAfter)) add · \(s.key(.suggest)) suggest · \(s.key(.editLabel)) edit · \(s.key(.undo)) undo · \(s.key(.quit)) quit",
                     "\(s.key(.help)) help · \(s.key(.suggest)) suggest · \(s.key(.quit)) quit", "\(s.key(.help)) help"]
                }
            if let hints = variants.first(where: { s.width - x > DisplayWidth.of($0) + 1 }) {
                screen.put(hints, x: s.width - DisplayWidth.of(hints) - 1, y: y, style: bar)
            }
        }
    }

    /// A message wrapped on the rows just above row `y`: three, or up to half the screen on a
    /// small one. When it needs more, its first row (what happened: "Not saved: …") and its last
    /// rows (what to do) are kept, and the first ends in "…" where the middle is left out.
    static func messageAbove(_ m: AppState.Message, y: Int, _ s: AppState, _ screen: inout Screen) {
        let style = s.theme[m.kind == .error ? .error : .message]
        var lines = wrap(m.text, s.width - 2)
        // (Three while suggestions show: the rows they are offered on must stay in sight.)
        let room = s.suggestions == nil ? max(3, s.height / 2) : 3
        if lines.count > room {
            var head = lines[0]
            while !head.isEmpty, DisplayWidth.of(head) + 2 > s.width - 2 { head.removeLast() }
            lines = [head + " …"] + lines.suffix(room - 1)
        }
        for (i, line) in lines.enumerated() {
            let row = y - lines.count + i
            screen.fill(x: 0, y: row, width: s.width, height: 1, style: style)
            screen.put(" " + line, x: 0, y: row, style: style)
        }
    }

    /// What the label being edited is, for the status bar: "use case title", "step 3", "condition 3a".
    static func editingWhat(_ id: NodeID, _ s: AppState) -> String {
        guard let node = s.flow[id] else { return "" }
        switch node.kind {
        case .useCase: return "use case title"
        case .step: return "step " + (s.flow.number(of: id) ?? "")
        case .extension: return "condition " + (s.flow.number(of: id) ?? "")
        }
    }

    // MARK: Questions and the recovery difference

    /// A framed question in the middle of the screen, its text wrapped to fit at any size.
    /// A box of text in the middle of the screen. When it does not fit, the keys it offers
    /// (`.helpKey` rows) always show: the explanation around them gives up its blank rows, then
    /// its end (cut with "…").
    static func box(_ s: AppState, title: String, lines: [(String, Theme.Role)], _ screen: inout Screen) {
        let w = min(s.width - 2, 72)
        var rows: [(String, Theme.Role)] = []
        for (text, role) in lines { rows += wrap(text, w - 4).map { ($0, role) } }
        // At the smallest sizes the box may cover the status bar: its keys matter more.
        let room = max(1, s.height - 2)
        if rows.count > room {
            // Short of room: a key's line is one row, cut with "…", and no row is blank.
            rows = lines.flatMap { text, role -> [(String, Theme.Role)] in
                guard role == .helpKey else { return wrap(text, w - 4).map { ($0, role) } }
                var cut = text
                while !cut.isEmpty, DisplayWidth.of(cut) > w - 4 { cut.removeLast() }
                return [(cut == text ? text : String(cut.dropLast()) + "…", role)]
            }
            rows.removeAll { $0.0.isEmpty }
        }
        let prose = rows.indices.filter { rows[$0].1 != .helpKey }
        // The title says what the box is: its explanation may go whole for the keys.
        let keep = max(0, room - (rows.count - prose.count))
        if rows.count > room, prose.count > keep {
            if keep > 0 {
                let last = prose[keep - 1]
                var text = rows[last].0
                while !text.isEmpty, DisplayWidth.of(text) + 2 > w - 4 { text.removeLast() }
                rows[last].0 = text + " …"
            }
            let dropped = Set(prose.dropFirst(keep))
            rows = rows.indices.filter { !dropped.contains($0) }.map { rows[$0] }
        }
        let h = min(s.height, rows.count + 2)
        let x0 = (s.width - w) / 2
        let y0 = max(0, (s.height - 1 - h) / 2)
        frame(s, x: x0, y: y0, width: w, height: h, title: title, &screen)
        for (i, row) in rows.prefix(h - 2).enumerated() {
            screen.put(row.0, x: x0 + 2, y: y0 + 1 + i, style: s.theme[row.1], limit: w - 4)
        }
    }

    /// A box with a border and a title. The cells just around it are blanked (down to the status
    /// line): a box one column narrower than the screen would otherwise leave a sliver of the
    /// tree beside its border, whose cut rows read as stray "…" belonging to the box.
    static func frame(_ s: AppState, x x0: Int, y y0: Int, width w: Int, height h: Int, title: String, _ screen: inout Screen) {
        let top = max(0, y0 - 1)
        screen.fill(x: x0 - 1, y: top, width: w + 2, height: min(y0 + h + 1, s.height - 1) - top, style: s.theme[.normal])
        screen.fill(x: x0, y: y0, width: w, height: h, style: s.theme[.help])
        let border = s.theme[.border]
        screen.put("┌" + String(repeating: "─", count: max(0, w - 2)) + "┐", x: x0, y: y0, style: border)
        screen.put("└" + String(repeating: "─", count: max(0, w - 2)) + "┘", x: x0, y: y0 + h - 1, style: border)
        for y in (y0 + 1)..<max(y0 + 1, y0 + h - 1) {
            screen.put("│", x: x0, y: y, style: border)
            screen.put("│", x: x0 + w - 1, y: y, style: border)
        }
        if !title.isEmpty { screen.put(" " + title + " ", x: x0 + 2, y: y0, style: s.theme[.detailTitle], limit: max(0, w - 4)) }
    }

    /// The difference between the file and its recovery file: removed lines `-`, added `+`.
    static func diff(_ s: AppState, lines: [LineDiff.Line], scroll: Int, _ screen: inout Screen) {
        let w = s.width - 2
        let h = s.height - 2
        frame(s, x: 1, y: 0, width: w, height: h, title: "Recovered changes · j/k scroll · r recover · x discard · other keys back", &screen)
        for (i, line) in lines.dropFirst(scroll).prefix(h - 2).enumerated() {
            let (mark, text, role): (String, String, Theme.Role) = switch line {
            case .same(let t): ("  ", t, .help)
            case .removed(let t): ("- ", t, .failure)
            case .added(let t): ("+ ", t, .success)
            }
            screen.put(mark + text, x: 3, y: 1 + i, style: s.theme[role], limit: w - 4)
        }
        if lines.isEmpty { screen.put("(no difference)", x: 3, y: 1, style: s.theme[.folded], limit: w - 4) }
    }

    // MARK: Help

    public static func helpLines(_ bindings: Bindings) -> [(keys: String, text: String, heading: Bool)] {
        var out: [(String, String, Bool)] = []
        var group = ""
        for b in bindings.table {
            // The keys that act on shown suggestions get their own heading (Tab there accepts; in
            // the tree it indents), as in docs/keys.md.
            let heading = b.context == .tree ? b.group : b.context.rawValue
            if heading != group {
                group = heading
                out.append((heading, "", true))
            }
            // An action without keys of its own (search-previous: N while a search shows) reads
            // "—", as in docs/keys.md, not as an empty cell.
            out.append((b.keys.isEmpty ? "—" : Bindings.names(b.keys), b.help, false))
        }
        out.append(("Commands (after :)", "", true))
        for c in Commands.reference { out.append((c.command, c.help, false)) }
        return out
    }

    /// The help overlay's size and rows at this screen size (update clamps scrolling with it).
    static func helpLayout(_ s: AppState) -> (width: Int, height: Int, keyWidth: Int, rows: [(String, String, Bool)]) {
        let w = min(s.width - 2, 78)
        let h = s.height - 2
        // Keys in a column of their own; long key lists and the text both wrap, nothing is cut.
        let keyWidth = w >= 60 ? 22 : 12
        var rows: [(String, String, Bool)] = []
        for line in helpLines(s.bindings) {
            if line.heading { rows.append((line.keys, "", true)); continue }
            var keyLines: [String] = []
            // Keys are listed as "a, b" and commands as ":w  :w NAME": a line breaks between them,
            // or, for one that is longer than the column, between its words.
            let separator = line.keys.contains(", ") ? ", " : "  "
            for part in line.keys.components(separatedBy: separator).flatMap({ wrap($0, keyWidth) }) {
                if let last = keyLines.last, DisplayWidth.of(last) + separator.count + DisplayWidth.of(part) <= keyWidth {
                    keyLines[keyLines.count - 1] = last + separator + part
                } else {
                    keyLines.append(part)
                }
            }
            let text = wrap(line.text, max(8, w - keyWidth - 6))
            for i in 0..<max(keyLines.count, text.count) {
                rows.append((i < keyLines.count ? keyLines[i] : "", i < text.count ? text[i] : "", false))
            }
        }
        return (w, h, keyWidth, rows)
    }

    /// How far the help can scroll: its last row at the bottom of the box.
    public static func helpMaxScroll(_ s: AppState) -> Int {
        let layout = helpLayout(s)
        return max(0, layout.rows.count - (layout.height - 2))
    }

    static func help(_ s: AppState, scroll: Int, _ screen: inout Screen) {
        let (w, h, keyWidth, rows) = helpLayout(s)
        let x0 = (s.width - w) / 2
        let y0 = 1
        let titles = ["flowsmith keys · j/k scroll · Esc closes", "keys · j/k scroll · Esc closes", "keys · Esc closes", "keys"]
        let title = titles.first { DisplayWidth.of($0) + 2 <= w - 4 } ?? ""
        frame(s, x: x0, y: y0, width: w, height: h, title: title, &screen)
        let visible = h - 2
        let first = min(scroll, max(0, rows.count - visible))
        for (i, row) in rows.dropFirst(first).prefix(visible).enumerated() {
            let y = y0 + 1 + i
            if row.2 {
                screen.put(row.0, x: x0 + 2, y: y, style: s.theme[.detailTitle], limit: w - 4)
            } else {
                screen.put(row.0, x: x0 + 3, y: y, style: s.theme[.helpKey], limit: keyWidth)
                screen.put(row.1, x: x0 + 4 + keyWidth, y: y, style: s.theme[.help], limit: w - keyWidth - 6)
            }
        }
    }
}
