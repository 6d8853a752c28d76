import FlowCore
import FlowFormats

/// The app's one state transition: `update(&state, msg)` changes the state and returns what the
/// shell must do. Pure: no terminal, no files, no clock.
public enum App {
    public static func update(_ s: inout AppState, _ msg: Msg) -> [Effect] {
        var effects: [Effect] = []
        switch msg {
        case .key(let key):
            effects = handle(key, &s)
        case .paste(let text):
            paste(text, &s)
        case .resized(let w, let h):
            s.width = max(0, w)
            s.height = max(0, h)
        case .clicked(let x, let y):
            click(x: x, y: y, &s)
        case .scrolled(let lines):
            scroll(by: lines, &s)
        case .saved(let saved):
            effects = Saving.saved(saved, &s)
        case .saveFailed(let why):
            s.quitAfterSave = false
            s.fail("Not saved: \(why)")
        case .exported(let path, let note):
            s.say("Exported \(path)" + (note.map { ": \($0)" } ?? ""))
        case .exportFailed(let why):
            s.fail("Not exported: \(why)")
        case .opened(let opened):
            open(opened, &s)
        case .openFailed(let why):
            s.fail(why)
        case .loaded(let path, let flow):
            guard s.loading == path, s.path == path else { break }
            // The head's ids are the whole flow's, so the cursor, the top row and folds stay.
            s.flow = flow
            s.loading = nil
            s.say("Read \(path): \(counted(flow.useCases.count, "use case")), \(counted(flow.stepCount, "step"))")
        case .loadFailed(let path, let errors):
            guard s.loading == path else { break }
            s.loading = nil
            s.mode = .loadFailed(path: path, errors: errors)
        case .detailComputed(let cache):
            Detail.arrived(cache, &s)
        case .recoveryWritten(let revision):
            if s.recovery.failing, revision == s.history.revision {
                s.recovery.failing = false
                s.say("Recovery file written again")
            }
        case .recoveryFailed(let why):
            Recovery.failed(why, &s)
        case .suggestionsArrived(let id, let candidates, let done):
            Suggesting.arrived(id: id, candidates: candidates, done: done, &s)
        case .suggestionsFailed(let id, let message):
            Suggesting.failed(id: id, message: message, &s)
        case .timerFired(let tag):
            effects = timerFired(tag, &s)
        case .signalled(let signal):
            return Recovery.signalled(signal, &s)
        case .noticed(let text):
            s.say(text)
        }
        s.settleCursor()
        s.revealSuggestions()
        effects += Detail.refresh(&s)
        if !effects.contains(.quit) { effects += Recovery.schedule(&s) }
        return effects
    }

    static func timerFired(_ tag: TimerTag, _ s: inout AppState) -> [Effect] {
        switch tag {
        case .recovery:
            return Recovery.fired(&s)
        case .spinner:
            guard s.suggestions?.loading == true else { return [] }
            s.spinner += 1
            return [.startTimer(.spinner, after: Suggesting.spinnerInterval)]
        case .autoSuggest(let id):
            guard s.suggestions?.id == id, let job = s.delayedRequest else { return [] }
            s.delayedRequest = nil
            return [.run(job)]
        }
    }

    static func handle(_ key: Key, _ s: inout AppState) -> [Effect] {
        // Nothing shows on a screen that is too small: only keys that cannot change the flow work.
        if s.width < Render.minWidth || s.height < Render.minHeight {
            switch key {
            case .ctrl("z"): return [.suspend]
            case .ctrl("l"): return [.redraw]
            case .ctrl("c"), .char("q"):
                if s.isModified { s.mode = .confirmQuit; return [] }
                return Recovery.quit(&s)
            default: return []
            }
        }
        switch s.mode {
        case .command, .search, .ending, .flowTitle:
            // A prompt's message is about what was typed before this key.
            s.message = nil
        default: break
        }
        switch s.mode {
        case .normal: return normal(key, &s)
        case .editing(var session):
            switch session.editor.handle(key, s.bindings) {
            case .commit:
                Editing.commitEdit(session, &s)
                if s.autoSuggest, session.inserted != nil, s.cursor == session.target, s.flow[session.target]?.kind == .step {
                    return Suggesting.ask(.nextStep, delay: Suggesting.autoDelay, &s)
                }
            case .cancel: Editing.cancelEdit(session, &s)
            case .ignored:
                // Saving while typing keeps the label (as Enter does) and saves it with the rest.
                if s.bindings.action(for: [key]) == .save {
                    Editing.commitEdit(session, &s)
                    return Editing.save(to: nil, &s)
                }
                s.mode = .editing(session)
                // A tree key pressed while typing (Ctrl-Z suspends only from the tree) is said, not swallowed.
                if let action = s.bindings.action(for: [key]), action == .suspend || action == .quit {
                    s.say("\(key) works outside the label: \(s.key(.textCommit)) keeps it, \(s.key(.textCancel)) drops it, then \(key)")
                }
            default: s.mode = .editing(session)
            }
        case .command(var editor):
            switch editor.handle(key, s.bindings) {
            case .commit:
                s.mode = .normal
                return Commands.run(editor.string, &s)
            case .cancel: s.mode = .normal
            default: s.mode = editor.text.isEmpty && key == .backspace ? .normal : .command(editor)
            }
        case .search(var editor, let origin):
            Search.typed(key, &editor, origin: origin, &s)
        case .flowTitle(var editor):
            switch editor.handle(key, s.bindings) {
            case .commit:
                s.mode = .normal
                let title = editor.string.trimmingSpaces
                if !title.isEmpty { Editing.perform(Transaction("Set title", [.setTitle(title)]), cursorAfter: s.cursor, &s) }
                Editing.addUseCase(&s)
                s.say("Now the first use case's title, e.g. \"Submit an expense claim\"; \(s.key(.textCommit)) keeps it")
            case .cancel:
                s.mode = .normal
                s.say("\(s.key(.addUseCase)) adds a use case, \(s.key(.help)) lists the keys")
            default: s.mode = .flowTitle(editor)
            }
        case .ending(var editor, let target):
            switch editor.handle(key, s.bindings) {
            case .commit:
                s.mode = .normal
                Editing.setEnding(editor.string, of: target, &s)
            case .cancel: s.mode = .normal
            default: s.mode = .ending(editor, target: target)
            }
        case .help(let scroll):
            // The help scrolls with the keys that move in the tree, within its own length.
            let page = max(1, s.height - 4)
            let end = Render.helpMaxScroll(s)
            switch key {
            case .char("j"), .down: s.mode = .help(scroll: min(end, scroll + 1))
            case .char("k"), .up: s.mode = .help(scroll: max(0, scroll - 1))
            case .pageDown, .char(" "), .ctrl("d"), .ctrl("f"): s.mode = .help(scroll: min(end, scroll + page))
            case .pageUp, .ctrl("u"), .ctrl("b"): s.mode = .help(scroll: max(0, scroll - page))
            case .char("g"), .home: s.mode = .help(scroll: 0)
            case .char("G"), .end: s.mode = .help(scroll: end)
            case .escape, .char("q"), .char("?"), .function(1), .enter: s.mode = .normal
            default:
                // Any other key closes the help and does what it does.
                s.mode = .normal
                return normal(key, &s)
            }
        case .confirmQuit:
            switch key {
            case .char("y"), .char("w"):
                s.mode = .normal
                s.quitAfterSave = true
                return Editing.save(to: nil, &s)
            case .char("n"), .char("q"):
                return Recovery.quit(&s)
            default:
                s.mode = .normal
                s.say("Not quitting")
            }
        case .locked(let owner, let recovery):
            return Recovery.lockedKey(key, owner: owner, then: recovery, &s)
        case .recoveryOffer(let recovery):
            return Recovery.offerKey(key, recovery, &s)
        case .recoveryDiff(let recovery, let lines, let scroll):
            return Recovery.diffKey(key, recovery, lines: lines, scroll: scroll, &s)
        case .loadFailed:
            // Nothing was changed; the file is not opened.
            return [.exit(status: 1)]
        }
        return []
    }

    static func normal(_ typed: Key, _ s: inout AppState) -> [Effect] {
        // A key typed with a Chinese input method on ("：", "／", "？", "ｊ") is the key it stands for.
        var key = typed
        if case .char(let c) = typed, let u = c.unicodeScalars.first, c.unicodeScalars.count == 1,
           let ascii = Fullwidth.ascii(u, space: true) {
            key = .char(Character(ascii))
        }
        s.message = nil
        let afterAccept = s.justAccepted
        s.justAccepted = false
        var effects: [Effect] = []
        let accepting = s.pending.isEmpty && [.acceptSuggestion, .acceptAndContinue].contains(s.bindings.suggestionAction(for: key))
        if s.suggestions != nil && s.pending.isEmpty {
            // While suggestions show, their keys act on them; any other key dismisses them first.
            let action = s.bindings.suggestionAction(for: key)
            let shown = !(s.suggestions?.candidates.isEmpty ?? true)
            if let action, shown || action == .rejectSuggestion {
                return perform(action, key: key, &s)
            }
            // A key that accepts, pressed before anything arrived, waits: it must not fall through
            // to its editing action (Tab indents) on a row the user did not mean to change.
            if accepting {
                s.say("Suggestions are still on their way: \(key) takes one when it shows; \(s.key(.rejectSuggestion)) dismisses them")
                return []
            }
            effects = Suggesting.dismiss(&s)
        }
        // Pressed again right after an accept, an accepting key that would change the flow is one
        // press too many: said, not done. Pressed once more, it does what it does.
        if afterAccept && accepting, let action = s.bindings.action(for: [key]), action.changesFlow {
            s.say("Nothing more to accept: \(s.key(.suggest)) suggests the next step; \(key) again does \(action.rawValue)")
            return effects
        }
        return effects + dispatch(key, &s)
    }

    static func dispatch(_ key: Key, _ s: inout AppState) -> [Effect] {
        let sequence = s.pending + [key]
        if let action = s.bindings.action(for: sequence) {
            s.pending = []
            return perform(action, key: key, &s)
        }
        if s.bindings.isPrefix(sequence) {
            s.pending = sequence
            return []
        }
        let hadPending = !s.pending.isEmpty
        s.pending = []
        if hadPending { return dispatch(key, &s) }
        if key == .escape {
            s.searchShown = false
            return []
        }
        s.say("\(key) does nothing here; \(s.key(.help)) lists the keys")
        return []
    }

    static func perform(_ action: Action, key: Key, _ s: inout AppState) -> [Effect] {
        // (N is "previous match" while a search shows: then it changes nothing. Saving decides for itself.)
        if action.changesFlow && !(action == .addUseCase && s.searchShown), Editing.refusesChange(&s) { return [] }
        let rows = s.rows
        switch action {
        case .moveDown: s.cursor = s.cursor.flatMap(rows.next) ?? s.cursor
        case .moveUp: s.cursor = s.cursor.flatMap(rows.previous) ?? s.cursor
        case .pageDown, .pageUp:
            let n = max(1, s.treeHeight - 1) * (action == .pageDown ? 1 : -1)
            if let c = s.cursor { s.cursor = rows.offset(c, by: n) }
            if let t = s.top { s.top = rows.offset(t, by: n) }
        case .firstRow: s.cursor = rows.first
        case .lastRow: s.cursor = rows.last
        case .parentOrFold:
            guard let c = s.cursor, let node = s.flow[c] else { break }
            if !node.children.isEmpty && !s.folded.contains(c) { s.folded.insert(c) } else if let p = node.parent { s.cursor = p }
        case .childOrUnfold:
            guard let c = s.cursor, let node = s.flow[c], let first = node.children.first else { break }
            if s.folded.contains(c) { s.folded.remove(c) } else { s.cursor = first }
        case .previousUseCase, .nextUseCase:
            guard let c = s.cursor, let uc = s.flow.useCase(of: c), let i = s.flow.useCases.firstIndex(of: uc) else { break }
            if action == .previousUseCase {
                s.cursor = c != uc ? uc : s.flow.useCases[max(0, i - 1)]
            } else if i + 1 < s.flow.useCases.count {
                s.cursor = s.flow.useCases[i + 1]
            }
        case .commandLine: s.mode = .command(LineEditor())
        case .toggleFold: Folding.toggle(&s)
        case .foldAll: Folding.foldAll(&s)
        case .unfoldAll: s.folded = []
        case .foldToDepth:
            if case .char(let c) = key, let d = c.wholeNumberValue { Folding.fold(toDepth: d, &s) }
        case .addAfter: Editing.add(after: true, &s)
        case .addBefore: Editing.add(after: false, &s)
        case .editLabel: Editing.editLabel(&s)
        case .addExtension: Editing.addExtension(&s)
        case .setEnding: Editing.askEnding(&s)
        case .toggleKind: Editing.toggleKind(&s)
        case .addUseCase:
            if s.searchShown { Search.next(forward: false, &s) } else { Editing.addUseCase(&s) }
        case .delete: Editing.delete(&s)
        case .yank: Editing.yank(&s)
        case .pasteAfter: Editing.paste(after: true, &s)
        case .pasteBefore: Editing.paste(after: false, &s)
        case .moveNodeDown: Editing.moveAmongSiblings(by: 1, &s)
        case .moveNodeUp: Editing.moveAmongSiblings(by: -1, &s)
        case .indent: Editing.indent(&s)
        case .outdent: Editing.outdent(&s)
        case .undo: Editing.undo(&s)
        case .redo: Editing.redo(&s)
        case .search: s.mode = .search(LineEditor(), origin: s.cursor)
        case .searchNext: Search.next(forward: true, &s)
        case .searchPrevious: Search.next(forward: false, &s)
        case .save: return Editing.save(to: nil, &s)
        case .quit:
            if s.isModified {
                s.mode = .confirmQuit
            } else {
                return Recovery.quit(&s)
            }
        case .help: s.mode = .help(scroll: 0)
        case .toggleDetail: s.showDetail.toggle()
        case .cyclePreview:
            s.preview = s.preview.next
            s.showDetail = true
        case .suspend: return [.suspend]
        case .redraw: return [.redraw]
        case .suggest: return Suggesting.ask(nil, &s)
        case .suggestConditions: return Suggesting.ask(.conditions, &s)
        case .acceptSuggestion:
            let effects = Suggesting.accept(chain: false, &s)
            s.justAccepted = s.suggestions == nil
            return effects
        case .acceptAndContinue: return Suggesting.accept(chain: true, &s)
        case .rejectSuggestion: return Suggesting.dismiss(&s)
        case .nextSuggestion: Suggesting.cycle(by: 1, &s)
        case .previousSuggestion: Suggesting.cycle(by: -1, &s)
        case .textCommit, .textCancel, .textLeft, .textRight, .textHome, .textEnd, .textBackspace, .textDelete,
             .textKillToEnd, .textKillToStart, .textKillWord:
            break   // the line editor's, never reached in the tree
        }
        return []
    }

    static func paste(_ text: String, _ s: inout AppState) {
        switch s.mode {
        case .editing(var session): session.editor.insert(text); s.mode = .editing(session)
        case .command(var e): e.insert(text); s.mode = .command(e)
        case .ending(var e, let t): e.insert(text); s.mode = .ending(e, target: t)
        case .flowTitle(var e): e.insert(text); s.mode = .flowTitle(e)
        case .search(var e, let origin):
            e.insert(text)
            Search.find(e.string, from: origin, forward: true, includeStart: false, &s)
            s.mode = .search(e, origin: origin)
        default: s.say("Pasted text goes into a label: press \(s.key(.editLabel)) to edit one first")
        }
    }

    static func click(x: Int, y: Int, _ s: inout AppState) {
        guard case .normal = s.mode, y >= 0, y < s.treeHeight, let top = s.top else { return }
        let window = s.rows.window(from: top, count: y + 1)
        if y < window.count { s.cursor = window[y] }
    }

    static func scroll(by lines: Int, _ s: inout AppState) {
        guard let top = s.top else { return }
        let rows = s.rows
        s.top = rows.offset(top, by: lines)
        if let t = s.top, let c = s.cursor, !rows.window(from: t, count: s.treeHeight).contains(c) {
            s.cursor = lines > 0 ? t : rows.offset(t, by: s.treeHeight - 1)
        }
    }

    static func open(_ opened: Opened, _ s: inout AppState) {
        s.flow = opened.flow
        s.history = History()
        s.path = opened.path
        s.diskStamp = opened.stamp
        s.folded = []
        s.readOnly = false
        s.recovery = AppState.Recovery()
        s.detailCache = nil
        s.detailWanted = nil
        s.suggestions = nil
        s.cursor = s.flow.useCases.first
        s.top = s.cursor
        s.say(opened.isNew ? "New file \(opened.path): \(s.key(.addUseCase)) adds a use case"
              : "Opened \(opened.path): \(counted(s.flow.useCases.count, "use case")), \(counted(s.flow.stepCount, "step"))")
        if opened.isNew { s.startNewFlow() }
        s.offer(lock: opened.lock, recovery: opened.recovery)
    }
}

extension AppState {
    /// Keeps the cursor on a visible row and inside the tree pane, moving the top row as little as possible.
    mutating func settleCursor() {
        let rows = self.rows
        if let c = cursor, !flow.contains(c) { cursor = nil }
        if cursor == nil { cursor = rows.first }
        guard let c = cursor else { top = nil; return }
        if !rows.isVisible(c) { cursor = rows.visibleAncestor(c) }
        guard let cur = cursor else { return }
        let h = max(1, treeHeight)
        // Near the end, fill the pane rather than leave blank rows under the last one (after an
        // undo or a delete shortened the tree, too).
        defer {
            if let t = top {
                let shown = rows.window(from: t, count: h).count
                if shown < h { top = rows.offset(t, by: -(h - shown)) }
            }
        }
        if let t = top, flow.contains(t), rows.isVisible(t) {
            if rows.window(from: t, count: h).contains(cur) { return }
            if rows.window(from: cur, count: h).contains(t) { top = cur; return }
            if rows.window(from: t, count: 2 * h).contains(cur) { top = rows.offset(cur, by: -(h - 1)); return }
        }
        top = rows.offset(cur, by: -(h / 2))
    }

    /// Scrolls so the suggestion's ghost rows show below their anchor, keeping the cursor on screen.
    mutating func revealSuggestions() {
        guard let current = suggestions, var t = top else { return }
        let rows = self.rows
        let h = max(1, treeHeight)
        let ghosts = Render.ghostLines(current, width: width, self).count
        for _ in 0..<h {
            let window = rows.window(from: t, count: h)
            // Rows up to the end of the anchor's subtree (or the anchor itself when the ghosts follow it directly).
            guard let anchorAt = window.firstIndex(of: current.anchor) else { break }
            var end = anchorAt
            let directly = current.point.index == 0 && current.point.parent == current.anchor && current.point.kind != .draft
            if !directly {
                while end + 1 < window.count, flow.isAncestor(current.anchor, of: window[end + 1]) { end += 1 }
            }
            guard end + 1 + ghosts > h, t != cursor, let next = rows.next(t) else { break }
            t = next
        }
        top = t
    }
}
