import FlowCore
import FlowFormats

/// The `:` command line: one table drives dispatch, the help overlay and docs/keys.md, so a
/// command cannot be listed and not work, or work and not be listed.
public enum Commands {
    /// A command: the words that call it, how it is written in help, and what it does.
    public struct Command: Sendable {
        public let names: [String]
        public let usage: String
        public let help: String
        /// Runs with the words after the command and the whole line as typed.
        let run: @Sendable (_ args: [String], _ line: String, _ s: inout AppState) -> [Effect]
    }

    public static let table: [Command] = [
        Command(names: ["w", "write"], usage: ":w", help: "save") { args, _, s in
            Editing.save(to: args.isEmpty ? nil : args.joined(separator: " "), force: false, &s)
        },
        Command(names: [], usage: ":w NAME", help: "write a copy to NAME (refuses to replace an existing file)") { _, _, _ in [] },
        Command(names: ["w!", "write!"], usage: ":w!  :w! NAME", help: "save even if the file changed on disk or is write-protected, or replace NAME") { args, _, s in
            Editing.save(to: args.isEmpty ? nil : args.joined(separator: " "), force: true, &s)
        },
        Command(names: ["wq", "x", "wq!", "x!"], usage: ":wq  :x", help: "save and quit (:x only when there are changes)") { args, line, s in
            // :x writes nothing when nothing changed (the file keeps its time), as in vi.
            if line.hasPrefix("x"), args.isEmpty, !s.isModified, Recovery.typing(s) == nil { return Recovery.quit(&s) }
            s.quitAfterSave = true
            return Editing.save(to: args.isEmpty ? nil : args.joined(separator: " "), force: line.hasPrefix("wq!") || line.hasPrefix("x!"), &s)
        },
        Command(names: ["q", "quit"], usage: ":q", help: "quit (refuses while there are unsaved changes)") { _, _, s in
            if s.isModified { s.fail("Unsaved changes: :w saves, :q! quits without saving"); return [] }
            return Recovery.quit(&s)
        },
        Command(names: ["q!", "quit!"], usage: ":q!", help: "quit without saving") { _, _, s in
            Recovery.quit(&s)
        },
        Command(names: ["e", "edit", "e!", "edit!"], usage: ":e NAME  :e! NAME", help: "open another file (:e! drops unsaved changes)") { args, line, s in
            let rest = args.joined(separator: " ")
            guard !rest.isEmpty else { s.fail("Which file? :e NAME.flow.md"); return [] }
            let forced = line.split(separator: " ").first?.hasSuffix("!") ?? false
            if s.isModified && !forced { s.fail("Unsaved changes: :w first, or :e! \(rest) to drop them"); return [] }
            // Changes dropped with :e! are dropped for good: so is their recovery file. (Recovered
            // changes that u took back, with nothing modified, stay for the next opening.)
            let keep = s.recovery.recovered && !s.isModified && !forced
            return (keep ? [] : Recovery.removal(&s)) + [.run(.open(path: rest, leaving: s.path))]
        },
        Command(names: ["export"], usage: ":export FORMAT FILE", help: "export the flow as \(ExportFormat.names) (refuses to replace an existing file)") { args, _, s in
            export(args, replace: false, &s)
        },
        Command(names: ["export!"], usage: ":export! FORMAT FILE", help: "export, replacing FILE if it exists (never the open flow)") { args, _, s in
            export(args, replace: true, &s)
        },
        Command(names: [], usage: ":3a1  :2 3a1", help: "jump to a step of this use case, or of use case 2") { _, _, _ in [] },
        Command(names: ["uc"], usage: ":uc 2", help: "jump to use case 2") { args, _, s in
            let rest = args.joined(separator: " ")
            guard let n = Int(rest), n >= 1, n <= s.flow.useCases.count else {
                s.fail("No use case \(rest): there are \(s.flow.useCases.count)")
                return []
            }
            s.cursor = s.flow.useCases[n - 1]
            return []
        },
        Command(names: ["field"], usage: ":field NAME: VALUE", help: "set a field of this use case (Goal, Primary actor and the others); no value removes it") { _, line, s in
            if Editing.refusesChange(&s) { return [] }
            setField(line.drop { $0 == " " }.dropFirst("field".count).drop { $0 == " " }, &s)
            return []
        },
        Command(names: ["title", "title!"], usage: ":title [TEXT]  :title!", help: "set the flow's title; without text, show it; :title! removes it") { args, line, s in
            let rest = args.joined(separator: " ")
            let removing = line.split(separator: " ").first?.hasSuffix("!") ?? false
            // Without text it says what the title is: a typo must not delete it.
            if rest.isEmpty && !removing {
                s.say(s.flow.title.isEmpty ? "The flow has no title: :title TEXT sets it" : "Title: \(s.flow.title) (:title TEXT changes it, :title! removes it)")
                return []
            }
            if Editing.refusesChange(&s) { return [] }
            let title = removing ? "" : rest
            guard s.flow.title != title else { return [] }
            Editing.perform(Transaction("Set title", [.setTitle(title)]), cursorAfter: s.cursor, &s)
            s.say(title.isEmpty ? "The flow has no title now (\(s.key(.undo)) undoes it)" : "Title: \(title)")
            return []
        },
        Command(names: ["help", "h"], usage: ":help", help: "this help") { _, _, s in
            s.mode = .help(scroll: 0)
            return []
        },
    ]

    /// What the command line understands, for the help overlay and docs/keys.md.
    public static var reference: [(command: String, help: String)] { table.map { ($0.usage, $0.help) } }

    static func run(_ line: String, _ s: inout AppState) -> [Effect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // Commands and step numbers typed with a Chinese input method on ("ｗ", "３ａ１", "uc １")
        // read as the ASCII they stand for; names and texts (":w 报销.flow.md") stay as typed.
        let plain = words.map(Fullwidth.halfwidth)
        guard let verb = plain.first else { return [] }
        if let command = table.first(where: { $0.names.contains(verb) }) {
            let args = verb == "uc" ? Array(plain.dropFirst()) : Array(words.dropFirst())
            return command.run(args, line.drop { $0 == " " }.description, &s)
        }
        jump(plain, &s)
        return []
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
            // A new field keeps the colon it was typed with ("目标：…" stays fullwidth).
            fields.append(Field(name, value, separator: spec[colon] == "：" ? "：" : Field.canonicalSeparator))
        }
        guard fields != s.flow[uc]?.fields else { return }
        Editing.perform(Transaction("Set \(name)", [.setFields(uc, fields)]), cursorAfter: s.cursor, &s)
        s.say(value.isEmpty ? "Removed \(name)" : name + (fields.first { $0.name == name }?.separator ?? ": ") + value)
    }

    static func export(_ args: [String], replace: Bool, _ s: inout AppState) -> [Effect] {
        guard args.count >= 2, let format = ExportFormat(name: args[0]) else {
            s.fail("Usage: :export FORMAT FILE, where FORMAT is \(ExportFormat.names)")
            return []
        }
        let path = args.dropFirst().joined(separator: " ")
        return [.run(.export(ExportRequest(path: path, flow: s.flow, format: format, replace: replace, document: s.path)))]
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
