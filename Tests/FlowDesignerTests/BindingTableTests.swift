import FlowCore
import FlowDesigner
import FlowFormats
import TestSupport
import Testing

/// One binding table, truly: every row, moved to another key, does through the new key exactly
/// what it did through its own, and its own key no longer does it. A row the help shows but that
/// dispatch ignores cannot pass.
@Suite struct BindingRemapTests {
    /// What a key can change, compared before and after.
    struct Seen: Equatable {
        let flow: Flow, cursor: NodeID?, top: NodeID?, folded: Set<NodeID>, mode: AppState.Mode
        let showDetail: Bool, preview: ExportFormat, suggestions: AppState.Suggestions?, revision: Int
        let searchShown: Bool, quitAfterSave: Bool, message: String?, messageKind: AppState.Message.Kind?, clipboard: AppState.Clip?, effects: [Effect]
        /// `named`: a key name in the messages read as another (a message names the action's key
        /// as it is bound: "F12 suggests …" once it moved to F12, where the default said "S").
        init(_ s: AppState, _ effects: [Effect], named: (from: String, to: String)? = nil) {
            flow = s.flow; cursor = s.cursor; top = s.top; folded = s.folded; mode = s.mode; self.effects = effects
            showDetail = s.showDetail; preview = s.preview; suggestions = s.suggestions; revision = s.history.revision
            searchShown = s.searchShown; quitAfterSave = s.quitAfterSave; clipboard = s.clipboard
            message = s.message.map { m in named.map { m.text.replacingOccurrences(of: $0.from, with: $0.to) } ?? m.text }
            messageKind = s.message?.kind
        }
    }

    /// States to try a row in: its context, at a use case, a step, an extension.
    static func probes(_ context: BindingContext, _ bindings: Bindings) -> [AppState] {
        var out: [AppState] = []
        // Rows at every depth, and states with something to undo, redo, find again or unfold.
        for keys in ["", "j", "j j", "j j j", "j j j j", "G", "j o x Enter", "j o x Enter u", "/ x Enter", "z M", "y y j"] {
            var s = fresh()
            s.bindings = bindings
            for name in keys.split(separator: " ") { _ = App.update(&s, .key(Key(name: String(name))!)) }
            switch context {
            case .tree: break
            case .suggestion:
                guard case .run(.suggest(let id, _, _))? = App.update(&s, .key(.char("s"))).first(where: { if case .run = $0 { true } else { false } }) else { continue }
                _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["one", "two"], done: true))
                guard s.suggestions != nil else { continue }
            case .text:
                _ = App.update(&s, .key(.char("e")))
                guard case .editing = s.mode else { continue }
                for c in "ab cd" { _ = App.update(&s, .key(.char(c))) }
                _ = App.update(&s, .key(.left))
                _ = App.update(&s, .key(.left))
            }
            out.append(s)
        }
        return out
    }

    static func pressAll(_ keys: [Key], _ s: inout AppState) -> [Effect] {
        keys.flatMap { App.update(&s, .key($0)) }
    }

    @Test func everyRowMovedToAnotherKeyStillDoesWhatItDid() {
        let spare: [Key] = [.function(12)]
        for row in Bindings.defaults.table where !Bindings.fixedKeys.contains(row.action) {
            guard let own = row.keys.first else { continue }   // a row with no keys of its own
            var moved = Bindings.defaults
            moved.rebind(row.action, to: [spare])
            var didSomething = false
            for probe in Self.probes(row.context, .defaults) {
                var a = probe
                let before = Seen(a, [])
                let ownEffects = Self.pressAll(own, &a)
                let viaOwn = Seen(a, ownEffects)
                var b = probe
                b.bindings = moved
                let spareEffects = Self.pressAll(spare, &b)
                let viaSpare = Seen(b, spareEffects, named: (Bindings.name(spare), Bindings.name(own)))
                #expect(viaOwn == viaSpare, "\(row.action.rawValue): F12 does not do what \(Bindings.name(own)) did")
                if viaOwn != Seen(probe, []) || viaOwn.effects != before.effects { didSomething = true }
                // Its own key no longer does it (unless another row also owns that key).
                var c = probe
                c.bindings = moved
                let oldEffects = Self.pressAll(own, &c)
                let viaOld = Seen(c, oldEffects)
                // (While suggestions show, any key that is not theirs dismisses them, as reject does.)
                if viaOwn != before, row.action != .rejectSuggestion, moved.table.allSatisfy({ !$0.keys.contains(own) || $0.context != row.context }) {
                    #expect(viaOld != viaOwn, "\(row.action.rawValue): \(Bindings.name(own)) still does it after the move")
                }
            }
            #expect(didSomething, "\(row.action.rawValue) does nothing in any probe state (\(Self.probes(row.context, .defaults).count) probes): the test cannot tell")
        }
    }

    @Test func fixedRowsAreRefusedByTheConfig() {
        #expect(throws: Config.Failure.self) { try Config.parse("[keys]\nfold-to-depth = F5\n") }
    }

    @Test func everyCommandInTheReferenceDispatches() {
        for command in Commands.table {
            for name in command.names {
                var s = fresh()
                press(":", &s)
                typeText(name + (["e", "edit", "e!", "edit!", "uc", "export"].contains(name) ? " 1" : ""), &s)
                press("Enter", &s)
                #expect(s.message?.text.hasPrefix("Unknown command") != true, ":\(name) is listed but not dispatched")
            }
        }
        // And what is not in the table is refused, naming the commands.
        var s = fresh()
        press(":", &s); typeText("frobnicate", &s); press("Enter", &s)
        #expect(s.message?.text.hasPrefix("Unknown command: frobnicate") == true)
        #expect(Render.helpLines(Bindings.defaults).filter { $0.keys == ":export FORMAT FILE" }.count == 1)
        // The keys that act on shown suggestions are under a heading of their own, as in docs/keys.md.
        let lines = Render.helpLines(Bindings.defaults)
        let heading = lines.firstIndex { $0.heading && $0.keys == "While suggestions show" }
        let accept = lines.firstIndex { $0.text.hasPrefix("accept the shown suggestion") }
        #expect(heading != nil && accept != nil && heading! < accept! && !lines[heading!..<accept!].dropFirst().contains { $0.heading })
    }
}

@Suite struct ConfigSettingTests {
    @Test func changesTheSettingInPlaceOrAddsItBeforeTheFirstSection() throws {
        let text = "# mine\ntheme = light\nmodel = gpt-4o-mini\n\n[keys]\ndelete = dd\n"
        #expect(Config.setting("model", to: "ft:x:y", in: text) == "# mine\ntheme = light\nmodel = ft:x:y\n\n[keys]\ndelete = dd\n")
        let added = Config.setting("engine", to: "openai", in: text)
        #expect(added == "# mine\ntheme = light\nmodel = gpt-4o-mini\nengine = openai\n\n[keys]\ndelete = dd\n")
        #expect(try Config.parse(added).settings["engine"] == "openai")
        #expect(Config.setting("model", to: "m", in: "") == "model = m\n")
        // A setting's name inside [keys] or a comment is not the setting.
        #expect(Config.setting("model", to: "m", in: "# model = old\n") == "# model = old\nmodel = m\n")
    }
}
