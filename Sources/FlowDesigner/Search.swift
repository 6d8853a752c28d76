import FlowFormats
import FlowCore

/// Incremental search over use-case titles, steps and conditions, in document order, wrapping
/// around, ignoring case; a match inside a folded row unfolds what hides it.
enum Search {
    static func typed(_ key: Key, _ editor: inout LineEditor, origin: NodeID?, _ s: inout AppState) {
        switch editor.handle(key) {
        case .commit:
            s.mode = .normal
            let query = editor.string
            guard !query.isEmpty else { return }
            s.lastSearch = query
            s.searchShown = true
        case .cancel:
            s.mode = .normal
            s.cursor = origin
        case .edited:
            s.mode = .search(editor, origin: origin)
            if editor.text.isEmpty { s.cursor = origin } else {
                find(editor.string, from: origin, forward: true, includeStart: false, &s)
            }
        default:
            s.mode = .search(editor, origin: origin)
        }
    }

    static func next(forward: Bool, _ s: inout AppState) {
        guard let query = s.lastSearch else { return s.fail("No search yet: / starts one") }
        s.searchShown = true
        find(query, from: s.cursor, forward: forward, includeStart: false, &s)
    }

    static func matches(_ text: String, _ query: String) -> Bool {
        text.lowercased().contains(query.lowercased())
    }

    /// Moves the cursor to the next node whose text contains the query; says so when none does.
    static func find(_ query: String, from start: NodeID?, forward: Bool, includeStart: Bool, _ s: inout AppState) {
        let all = Rows(s.flow, folded: [])
        guard let origin = start ?? all.first else { return }
        var id = origin
        var first = true
        while true {
            if !(first && !includeStart), let text = s.flow[id]?.text, matches(text, query) {
                reveal(id, &s)
                s.cursor = id
                return
            }
            first = false
            let step = forward ? all.next(id) : all.previous(id)
            id = step ?? (forward ? all.first : all.last) ?? origin
            if id == origin {
                if let text = s.flow[id]?.text, matches(text, query), !includeStart { reveal(id, &s); s.cursor = id; return }
                return s.fail("Not found: \(query)")
            }
        }
    }

    /// Unfolds every ancestor of a node so it shows.
    static func reveal(_ id: NodeID, _ s: inout AppState) {
        var current = s.flow[id]?.parent
        while let c = current {
            s.folded.remove(c)
            current = s.flow[c]?.parent
        }
    }
}

/// The `:` command line.
public enum Commands {
    /// What the command line understands, for the help overlay and docs/keys.md.
    public static let reference: [(command: String, help: String)] = [
        (":w", "save"),
        (":w NAME", "write a copy to NAME (refuses to replace an existing file)"),
        (":w!  :w! NAME", "save even if the file changed on disk, or replace NAME"),
        (":wq  :x", "save and quit"),
        (":q", "quit (refuses while there are unsaved changes)"),
        (":q!", "quit without saving"),
        (":e NAME  :e! NAME", "open another file (:e! drops unsaved changes)"),
        (":export mermaid FILE", "export the flow as Mermaid (or dot)"),
        (":3a1  :2 3a1  :uc 2", "jump to a step of this use case, of use case 2, or to use case 2"),
        (":field NAME: VALUE", "set a field of this use case (Goal, Primary actor …); no value removes it"),
        (":title TEXT", "set the flow's title"),
        (":help", "this help"),
    ]

    static func run(_ line: String, _ s: inout AppState) -> [Effect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first else { return [] }
        let rest = words.dropFirst().joined(separator: " ")
        switch verb {
        case "w", "write", "w!", "write!":
            return Editing.save(to: rest.isEmpty ? nil : rest, force: verb.hasSuffix("!"), &s)
        case "wq", "x", "wq!", "x!":
            s.quitAfterSave = true
            return Editing.save(to: rest.isEmpty ? nil : rest, force: verb.hasSuffix("!"), &s)
        case "q", "quit":
            if s.isModified { s.fail("Unsaved changes: :w saves, :q! quits without saving"); return [] }
            return Recovery.quit(&s)
        case "q!", "quit!":
            return Recovery.quit(&s)
        case "e", "edit", "e!":
            guard !rest.isEmpty else { s.fail("Which file? :e NAME.flow.md"); return [] }
            if s.isModified && verb != "e!" { s.fail("Unsaved changes: :w first, or :e! \(rest) to drop them"); return [] }
            return [.run(.open(path: rest))]
        case "export":
            return export(words.dropFirst().map { $0 }, &s)
        case "help", "h":
            s.mode = .help(scroll: 0)
            return []
        case "title" where s.readOnly, "field" where s.readOnly:
            s.fail("Read-only: another editor has this file open. :w NAME writes a copy; q quits")
            return []
        case "title":
            guard s.flow.title != rest else { return [] }
            Editing.perform(Transaction("Set title", [.setTitle(rest)]), cursorAfter: s.cursor, &s)
            s.say(rest.isEmpty ? "The flow has no title now" : "Title: \(rest)")
            return []
        case "field":
            setField(line.drop { $0 == " " }.dropFirst("field".count).drop { $0 == " " }, &s)
            return []
        case "uc":
            guard let n = Int(rest), n >= 1, n <= s.flow.useCases.count else {
                s.fail("No use case \(rest): there are \(s.flow.useCases.count)")
                return []
            }
            s.cursor = s.flow.useCases[n - 1]
            return []
        default:
            jump(words, &s)
            return []
        }
    }

    /// `:field Goal: text` sets a field of the cursor's use case; `:field Goal:` removes it.
    static func setField(_ spec: Substring, _ s: inout AppState) {
        guard let uc = s.cursor.flatMap({ s.flow.useCase(of: $0) }), var fields = s.flow[uc]?.fields else {
            return s.fail("Move into a use case first")
        }
        guard let colon = spec.firstIndex(where: { $0 == ":" || $0 == "：" }), !String(spec[..<colon]).trimmingSpaces.isEmpty else {
            return s.fail("Usage: :field NAME: VALUE, e.g. :field Goal: the customer is paid")
        }
        let typed = String(spec[..<colon]).trimmingSpaces
        let name = Field.canonicalName(typed)
        let value = String(spec[spec.index(after: colon)...]).trimmingSpaces
        if let i = fields.firstIndex(where: { $0.name == name }) {
            if value.isEmpty { fields.remove(at: i) } else { fields[i].value = value }
        } else if !value.isEmpty {
            fields.append(Field(name, value))
        }
        guard fields != s.flow[uc]?.fields else { return }
        Editing.perform(Transaction("Set \(name)", [.setFields(uc, fields)]), cursorAfter: s.cursor, &s)
        s.say(value.isEmpty ? "Removed \(name)" : "\(name): \(value)")
    }

    static func export(_ args: [String], _ s: inout AppState) -> [Effect] {
        guard args.count == 2, let format = ExportFormat(name: args[0]) else {
            s.fail("Usage: :export FORMAT FILE, where FORMAT is \(ExportFormat.names)")
            return []
        }
        return [.run(.export(path: args[1], flow: s.flow, format: format))]
    }

    /// `:3a1` jumps to a step of the current use case, `:2 3a1` to one of use case 2.
    static func jump(_ words: [String], _ s: inout AppState) {
        var uc = s.cursor.flatMap { s.flow.useCase(of: $0) }
        var number = words.last?.lowercased() ?? ""
        if words.count == 2 {
            guard let n = Int(words[0]), n >= 1, n <= s.flow.useCases.count else {
                return s.fail("No use case \(words[0]): there are \(s.flow.useCases.count)")
            }
            uc = s.flow.useCases[n - 1]
        } else if words.count > 2 {
            return s.fail("Unknown command: \(words.joined(separator: " ")) (? lists the keys and commands)")
        }
        if number.hasSuffix(".") { number.removeLast() }
        guard let uc, let target = s.flow.node(numbered: number, in: uc) else {
            return s.fail(Numbering.components(number) == nil
                ? "Unknown command: \(words.joined(separator: " ")) (:w, :q, :e FILE, :export FORMAT FILE, :2 3a1)"
                : "No step \(number) in use case \(uc.flatMap { s.flow.number(of: $0) } ?? "?")")
        }
        Search.reveal(target, &s)
        s.cursor = target
    }
}
