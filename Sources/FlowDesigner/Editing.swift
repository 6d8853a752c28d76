import FlowCore
import FlowFormats

/// The editing actions: each change is one transaction in the history, so one `u` takes it back.
enum Editing {
    /// Performs a transaction through the history, moving the cursor; reports a refused edit.
    static func perform(_ t: Transaction, cursorAfter: NodeID?, _ s: inout AppState) {
        do {
            try s.history.perform(t, on: &s.flow, cursorBefore: s.cursor, cursorAfter: cursorAfter)
            s.cursor = cursorAfter ?? s.cursor
        } catch {
            s.fail("\(t.label): \(error)")
        }
    }

    /// Inserts a new node for the user to name; it enters the history only when the edit is kept.
    static func insertForEditing(_ tree: Subtree, parent: NodeID?, index: Int, label: String, _ s: inout AppState) {
        let t = Transaction(label, [.insert(tree, parent: parent, index: index)])
        do {
            try s.flow.apply(t)
        } catch {
            s.fail("\(label): \(error)")
            return
        }
        if let parent { s.folded.remove(parent) }
        let origin = s.cursor
        s.cursor = tree.root.id
        s.mode = .editing(.init(editor: LineEditor(tree.root.text), target: tree.root.id, inserted: t, origin: origin))
    }

    static func add(after: Bool, _ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c] else { return addUseCase(&s) }
        let id = s.flow.makeID()
        switch (node.kind, after) {
        case (.useCase, true), (.extension, true):
            insertForEditing(.step(id, ""), parent: c, index: 0, label: "Add step", &s)
        case (.useCase, false):
            insertForEditing(.useCase(id, ""), parent: nil, index: s.flow.index(of: c) ?? 0, label: "Add use case", &s)
        case (.extension, false):
            insertForEditing(.extension(id, ""), parent: node.parent, index: s.flow.index(of: c) ?? 0, label: "Add extension", &s)
        case (.step, _):
            let i = (s.flow.index(of: c) ?? 0) + (after ? 1 : 0)
            insertForEditing(.step(id, ""), parent: node.parent, index: i, label: "Add step", &s)
        }
    }

    static func addUseCase(_ s: inout AppState) {
        let after = s.cursor.flatMap { s.flow.useCase(of: $0) }.flatMap { s.flow.index(of: $0) }
        let id = s.flow.makeID()
        insertForEditing(.useCase(id, ""), parent: nil, index: after.map { $0 + 1 } ?? s.flow.useCases.count,
                         label: "Add use case", &s)
    }

    static func addExtension(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c], node.kind == .step else {
            return s.fail("Extensions belong to steps: move to a step (3, 3a1) and press x")
        }
        let id = s.flow.makeID()
        insertForEditing(.extension(id, ""), parent: c, index: node.children.count, label: "Add extension", &s)
    }

    static func editLabel(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c] else { return }
        s.mode = .editing(.init(editor: LineEditor(node.text), target: c, inserted: nil, origin: c))
    }

    static func commitEdit(_ session: AppState.EditSession, _ s: inout AppState) {
        s.mode = .normal
        // A hint shown while typing ("Now the first use case's title …") is done with.
        s.message = nil
        var (text, target) = (session.editor.string, session.target)
        // A condition typed with its colon ("发票原件缺失：") is kept without it: the file
        // writes one after every condition.
        if s.flow[target]?.kind == .extension, text.hasSuffix(":") || text.hasSuffix("：") {
            while let last = text.last, last == ":" || last == "：" || last == " " { text.removeLast() }
        }
        // A condition typed with a file's exception marker ("【异常】系统宕机") marks it, as the
        // file would: the marker is not part of the condition.
        var markedException = false
        if s.flow[target]?.kind == .extension,
           let marker = ["[exception]", "[异常]", "【异常】", "［异常］"].first(where: { text.lowercased().hasPrefix($0) }) {
            text = String(text.dropFirst(marker.count)).trimmingSpaces
            markedException = true
        }
        if session.undoneIfEmpty && text.trimmingSpaces.isEmpty { return undoEmpty(session, &s) }
        if session.undoneIfEmpty, let entry = try? s.history.undo(on: &s.flow) {
            // The indent that made the extension and its condition are one change, as `x` and
            // its text are: one undo never leaves an extension without a condition.
            let edits = entry.forward.edits.map { edit -> Edit in
                guard case .insert(var tree, let parent, let index) = edit, tree.root.id == target else { return edit }
                tree.root = Node(id: tree.root.id, kind: tree.root.kind, text: text, fields: tree.root.fields,
                                 extensionKind: markedException ? .exception : tree.root.extensionKind, ending: tree.root.ending)
                return .insert(tree, parent: parent, index: index)
            }
            do {
                try s.history.perform(Transaction(entry.label, edits), on: &s.flow, cursorBefore: entry.cursorBefore, cursorAfter: target)
                s.cursor = target
            } catch {
                s.fail("\(entry.label): \(error)")
            }
            return
        }
        guard var t = session.inserted else {
            let mark: [Edit] = markedException && s.flow[target]?.extensionKind != .exception ? [.setExtensionKind(target, .exception)] : []
            guard s.flow[target]?.text != text || !mark.isEmpty else { return }
            return perform(Transaction("Edit text", [.setText(target, text)] + mark), cursorAfter: target, &s)
        }
        // Take the placeholder out again, then record the insertion with its text as one change.
        _ = try? s.flow.apply(.remove(target))
        s.cursor = session.origin
        if text.trimmingSpaces.isEmpty {
            s.say("Nothing added: the new row was empty")
            return
        }
        t.edits = t.edits.map { edit in
            guard case .insert(var tree, let parent, let index) = edit, tree.root.id == target else { return edit }
            tree.root = Node(id: tree.root.id, kind: tree.root.kind, text: text, fields: tree.root.fields,
                             extensionKind: markedException ? .exception : tree.root.extensionKind, ending: tree.root.ending)
            return .insert(tree, parent: parent, index: index)
        }
        do {
            try s.history.perform(t, on: &s.flow, cursorBefore: session.origin, cursorAfter: target)
            s.cursor = target
            if s.flow[target]?.kind == .useCase, s.flow.useCases.count == 1 {
                s.say("\(s.key(.addAfter)) adds the first step; \(s.key(.suggest)) drafts a main scenario from the title; "
                      + (s.wording == .chinese ? ":field 主要参与者：… names who acts" : ":field Primary actor: … names who acts"))
            }
        } catch {
            s.fail("\(t.label): \(error)")
        }
    }

    static func cancelEdit(_ session: AppState.EditSession, _ s: inout AppState) {
        s.mode = .normal
        if session.undoneIfEmpty { return undoEmpty(session, &s) }
        guard session.inserted != nil else { return }
        _ = try? s.flow.apply(.remove(session.target))
        s.cursor = session.origin
    }

    /// A row made by the last change and left without text: that change is undone (an indent
    /// that made an extension with no condition leaves the step where it was).
    static func undoEmpty(_ session: AppState.EditSession, _ s: inout AppState) {
        s.message = nil
        guard (try? s.history.undo(on: &s.flow)) != nil else { return }
        s.cursor = session.origin
        s.say("Not indented: an extension needs a condition (Tab, then type it)")
    }

    /// The extension an ending applies to: the cursor's, or the one the cursor's step is in.
    static func extensionAtCursor(_ s: AppState) -> NodeID? {
        guard let c = s.cursor, let node = s.flow[c] else { return nil }
        if node.kind == .extension { return c }
        if node.kind == .step, let p = node.parent, s.flow[p]?.kind == .extension { return p }
        return nil
    }

    static func askEnding(_ s: inout AppState) {
        guard let ext = extensionAtCursor(s), let node = s.flow[ext] else {
            return s.fail("Endings belong to extensions: move to an extension (3a) and press E")
        }
        let current: String
        switch node.ending {
        case .resumeNext: current = s.wording == .english ? "next" : "继续"
        case .success: current = s.wording.success
        case .failure: current = s.wording.failure
        case .resume(.step(let id)): current = s.flow.number(of: id) ?? ""
        case .resume(.unresolved(let t)): current = t
        }
        s.mode = .ending(LineEditor(current, selected: true), target: ext)
    }

    static func setEnding(_ text: String, of ext: NodeID, _ s: inout AppState) {
        // As a file writes it ("Resume at 3.", "回到第3步。", "结束：失败"), or just the word or
        // number; fullwidth digits and letters ("３ａ") as a Chinese keyboard types them.
        var answer = Fullwidth.halfwidthNumber(text.trimmingSpaces.lowercased())
        if answer.hasSuffix(".") || answer.hasSuffix("。") { answer.removeLast() }
        let words: [String: Ending] = [
            "": .resumeNext, "n": .resumeNext, "next": .resumeNext, "resume": .resumeNext, "下一步": .resumeNext, "继续": .resumeNext,
            "继续下一步": .resumeNext, "s": .success, "success": .success, "ok": .success, "成功": .success,
            "f": .failure, "failure": .failure, "fail": .failure, "失败": .failure,
        ]
        let hint = s.wording == .english ? "next, success, failure or a step number"
            : "继续, 成功, 失败 or a step (回到第3步; next, success, failure in English)"
        var found = words[answer]
        if found == nil {
            // Said as an ending line says it ("Resume at 3", "回到第3步", "继续第7步", "结束：失败"):
            // what is left must be a word or a step number, never nothing.
            var rest = answer
            for prefix in ["resume at step ", "resume at ", "end: ", "end:", "end ", "返回步骤", "返回第", "返回", "继续步骤", "继续第",
                           "回到第", "回到步骤", "回到", "结束：", "结束:", "结束", "第"] where rest.hasPrefix(prefix) {
                rest = String(rest.dropFirst(prefix.count)).trimmingSpaces
            }
            if rest.hasSuffix("步"), rest.first.map({ $0.isASCII && $0.isNumber }) == true { rest = String(rest.dropLast()).trimmingSpaces }
            guard !rest.isEmpty else {
                s.mode = .ending(LineEditor(text), target: ext)
                return s.fail("\(text) says no ending: \(hint)")
            }
            if let word = words[rest], word == .success || word == .failure { found = word }
            answer = rest
        }
        let ending: Ending
        if let found {
            ending = found
        } else {
            guard let uc = s.flow.useCase(of: ext), let target = s.flow.node(numbered: answer, in: uc),
                  s.flow[target]?.kind == .step else {
                s.mode = .ending(LineEditor(text), target: ext)
                return s.fail("No step \(answer) in this use case: \(hint)")
            }
            ending = .resume(.step(target))
        }
        guard s.flow[ext]?.ending != ending else { return }
        // A resume can make a loop the use case never leaves: said at once, not only in the
        // detail pane.
        let uc = s.flow.useCase(of: ext)
        let before = uc.map { Set(s.flow.validate(useCase: $0).map(\.message)) } ?? []
        perform(Transaction("Set ending", [.setEnding(ext, ending)]), cursorAfter: s.cursor, &s)
        if let uc, let new = s.flow.validate(useCase: uc).first(where: { !before.contains($0.message) }) {
            s.fail("Ending set, but \(new.message) (\(s.key(.undo)) undoes it)")
        }
    }

    static func toggleKind(_ s: inout AppState) {
        guard let ext = extensionAtCursor(s), let kind = s.flow[ext]?.extensionKind else {
            return s.fail("Only extensions are alternatives or exceptions: move to one (3a) and press !")
        }
        let new: ExtensionKind = kind == .exception ? .alternative : .exception
        perform(Transaction("Mark \(new.rawValue)", [.setExtensionKind(ext, new)]), cursorAfter: s.cursor, &s)
        s.say("\(s.flow.describe(ext)) is now an \(new.rawValue)")
    }

    static func delete(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c], let tree = s.flow.subtree(c) else { return }
        let name = s.flow.describe(c)
        let siblings = s.flow.children(of: node.parent)
        let i = siblings.firstIndex(of: c) ?? 0
        let after = i + 1 < siblings.count ? siblings[i + 1] : (i > 0 ? siblings[i - 1] : node.parent)
        s.clipboard = AppState.Clip(tree, in: s.flow)
        let removed = Set(tree.allIDs)
        let uc = s.flow.useCase(of: c)
        let pointingIDs = uc.map { s.flow.descendants(of: $0) }?.filter { id in
            guard !removed.contains(id), case .resume(.step(let t))? = s.flow[id]?.ending else { return false }
            return removed.contains(t)
        } ?? []
        perform(Transaction("Delete \(name)", [.remove(c)]), cursorAfter: after, &s)
        let pointing = pointingIDs.compactMap { s.flow.number(of: $0) }
        let under = tree.descendants.count
        var text = "Deleted \(name)" + (under > 0 ? " and \(rows(under)) under it" : "") + " · \(s.key(.undo)) undoes, \(s.key(.pasteAfter)) pastes it"
        if !pointing.isEmpty {
            text += " · \(pointing.map { "extension " + $0 }.joined(separator: ", ")) resumed there: \(s.key(.setEnding)) sets a new ending"
        }
        s.say(text)
    }

    static func yank(_ s: inout AppState) {
        guard let c = s.cursor, let tree = s.flow.subtree(c) else { return }
        s.clipboard = AppState.Clip(tree, in: s.flow)
        s.say("Copied \(s.flow.describe(c))" + (tree.descendants.isEmpty ? "" : " with \(rows(tree.descendants.count)) under it"))
    }

    static func paste(after: Bool, _ s: inout AppState) {
        guard let clipped = s.clipboard else { return s.fail("Nothing to paste: yy copies a row, dd cuts it") }
        let clip = clipped.tree
        guard let c = s.cursor, let node = s.flow[c] else {
            guard clip.root.kind == .useCase else { return s.fail("Only a use case can start an empty flow") }
            let tree = s.flow.cloneWithFreshIDs(clip)
            return perform(Transaction("Paste", [.insert(tree, parent: nil, index: 0)]), cursorAfter: tree.root.id, &s)
        }
        let parent: NodeID?
        let index: Int
        switch (clip.root.kind, node.kind) {
        case let (a, b) where a == b:
            parent = node.parent
            index = (s.flow.index(of: c) ?? 0) + (after ? 1 : 0)
        case (.step, .useCase), (.step, .extension):
            parent = c
            index = after ? 0 : node.children.count
        case (.extension, .step):
            parent = c
            index = after ? node.children.count : 0
        default:
            return s.fail("A copied \(kindName(clip.root.kind)) cannot go next to a \(kindName(node.kind))")
        }
        let tree = s.flow.cloneWithFreshIDs(clip)
        if let parent { s.folded.remove(parent) }
        let insert = Edit.insert(tree, parent: parent, index: index)
        // An extension that resumed at a step of the use case it came from, pasted into another,
        // resumes at the same place from its new step (the step again, the next one …); where
        // that is no step, the user is told, and the row shows the ending as a problem.
        var endings: [(ext: NodeID, ending: Ending?)] = []
        if !tree.resumesOutside.isEmpty {
            var after = s.flow
            if (try? after.apply(Transaction("Paste", [insert]))) != nil {
                endings = after.pastedEndings(tree, original: clip, places: clipped.places)
            }
        }
        let moved: [Edit] = endings.compactMap { e in e.ending.map { .setEnding(e.ext, $0) } }
        perform(Transaction("Paste", [insert] + moved), cursorAfter: tree.root.id, &s)
        guard !endings.isEmpty, s.flow.contains(tree.root.id) else { return }
        let said = endings.map { e -> String in
            let name = s.flow.number(of: e.ext) ?? "?"
            guard case .resume(.step(let t))? = e.ending, let to = s.flow.number(of: t),
                  let step = s.flow[e.ext]?.parent, let i = s.flow.index(of: step), let j = s.flow.index(of: t) else {
                return "\(name) resumed at a step of another use case: \(s.key(.setEnding)) sets its ending"
            }
            let place: String
            switch j - i {
            case 0: place = "its own step again"
            case 1: place = "the step after its own"
            case -1: place = "the step before its own"
            case let k where k > 0: place = "\(k) steps after its own"
            case let k: place = "\(-k) steps before its own"
            }
            return "\(name) resumes at \(to), \(place) as before"
        }
        let text = "Pasted \(s.flow.describe(tree.root.id)) · " + said.joined(separator: " · ")
        endings.contains { $0.ending == nil } ? s.fail(text) : s.say(text)
    }


    static func rows(_ n: Int) -> String { counted(n, "row") }

    static func kindName(_ k: NodeKind) -> String {
        switch k {
        case .useCase: return "use case"
        case .step: return "step"
        case .extension: return "extension"
        }
    }

    static func moveAmongSiblings(by delta: Int, _ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c], let i = s.flow.index(of: c) else { return }
        let count = s.flow.children(of: node.parent).count
        let j = i + delta
        guard j >= 0, j < count else { return s.say(delta > 0 ? "Already the last here" : "Already the first here") }
        perform(Transaction(delta > 0 ? "Move down" : "Move up", [.move(c, parent: node.parent, index: j)]), cursorAfter: c, &s)
    }

    static func indent(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c], node.kind == .step, let i = s.flow.index(of: c), i > 0,
              let parent = node.parent else {
            return s.fail("Tab needs a step with a step above it in the same list")
        }
        let above = s.flow.children(of: parent)[i - 1]
        var edits: [Edit] = []
        let ext: NodeID
        if let last = s.flow.children(of: above).last {
            ext = last
        } else {
            ext = s.flow.makeID()
            edits.append(.insert(.extension(ext, ""), parent: above, index: 0))
        }
        edits.append(.move(c, parent: ext, index: s.flow.children(of: ext).count))
        s.folded.subtract([above, ext])
        perform(Transaction("Indent", edits), cursorAfter: c, &s)
        if edits.count == 2, s.flow.contains(ext) {
            // A new extension needs its condition: ask for it at once (Esc leaves it empty).
            s.cursor = ext
            s.mode = .editing(.init(editor: LineEditor(), target: ext, inserted: nil, origin: c, undoneIfEmpty: true))
            s.say("Step moved into new extension \(s.flow.number(of: ext) ?? ""): type its condition (Esc leaves it where it was)")
        }
    }

    static func outdent(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c], node.kind == .step, let ext = node.parent,
              let extNode = s.flow[ext], extNode.kind == .extension, let step = extNode.parent,
              let stepNode = s.flow[step], let j = s.flow.index(of: step) else {
            return s.fail("Shift-Tab moves a step of an extension out, after the step it extends")
        }
        var edits: [Edit] = [.move(c, parent: stepNode.parent, index: j + 1)]
        if extNode.children == [c], extNode.text.isEmpty, extNode.ending == .resumeNext {
            edits.append(.remove(ext))
        }
        perform(Transaction("Outdent", edits), cursorAfter: c, &s)
    }

    static func undo(_ s: inout AppState) {
        do {
            guard let entry = try s.history.undo(on: &s.flow) else { return s.say("Nothing to undo") }
            if let before = entry.cursorBefore, s.flow.contains(before) { s.cursor = before }
            s.say("Undid: \(entry.label)")
        } catch {
            s.fail("Undo failed: \(error)")
        }
    }

    static func redo(_ s: inout AppState) {
        do {
            guard let entry = try s.history.redo(on: &s.flow) else { return s.say("Nothing to redo") }
            if let after = entry.cursorAfter, s.flow.contains(after) { s.cursor = after }
            s.say("Redid: \(entry.label)")
        } catch {
            s.fail("Redo failed: \(error)")
        }
    }

    static func readOnlyRefusal(_ s: AppState) -> String { "Read-only: another editor has this file open. :w NAME writes a copy; \(s.key(.quit)) quits" }
    static let loadingRefusal = "Still reading the rest of the file: a moment"

    /// Refuses a change to the flow while the file is open read-only or still being read, saying
    /// why; true when it refused.
    static func refusesChange(_ s: inout AppState) -> Bool {
        guard s.readOnly || s.loading != nil else { return false }
        s.fail(s.readOnly ? readOnlyRefusal(s) : loadingRefusal)
        return true
    }

    /// Saves to the file being edited, or writes a copy to another name (see `Saving`).
    static func save(to path: String?, force: Bool = false, _ s: inout AppState) -> [Effect] {
        Saving.save(to: path, force: force, &s)
    }
}

/// Saving runs on a worker (writing and checking a 100,000-step flow takes longer than a key
/// may): `update` hands over the flow as it is (a copy costs nothing until either side changes
/// it) and the result comes back as `.saved` with the problems counted.
enum Saving {
    /// Refuses, unless forced, to overwrite a file that changed on disk since it was read, or an
    /// existing file of another name (the worker checks, just before writing).
    static func save(to path: String?, force: Bool, _ s: inout AppState) -> [Effect] {
        guard let path = path ?? s.path, !path.isEmpty else {
            s.quitAfterSave = false
            s.fail("No file name yet: type :w NAME.flow.md")
            return []
        }
        let ownFile = s.path == nil || path == s.path
        // A copy under another name may be written from a read-only file, not while it is read.
        if (s.loading != nil || s.readOnly && ownFile) && Editing.refusesChange(&s) {
            s.quitAfterSave = false
            return []
        }
        s.say("Saving \(path)…")
        return [.run(.save(SaveRequest(path: path, flow: s.flow, revision: s.history.revision,
                                       expected: ownFile ? s.diskStamp : nil, force: force)))]
    }

    static func saved(_ saved: Saved, _ s: inout AppState) -> [Effect] {
        guard s.path == nil || saved.path == s.path else {
            s.say("Wrote a copy to \(saved.path); still editing \(s.path ?? "")")
            return s.quitAfterSave ? Recovery.quit(&s) : []
        }
        var effects: [Effect] = []
        if saved.revision == s.history.revision {
            s.history.markSaved()
            // What the recovery file held is on disk now.
            s.recovery.recovered = false
            effects += Recovery.removal(&s)
        }
        s.path = saved.path
        s.diskStamp = saved.stamp
        let through = saved.target.map { " → \($0)" } ?? ""
        s.say(saved.problems > 0
              ? "Saved \(saved.path)\(through) · \(saved.problems) problem\(saved.problems == 1 ? "" : "s") to fix: v shows them"
              : "Saved \(saved.path)\(through)")
        if s.quitAfterSave { effects += [.quit] }
        return effects
    }
}

enum Folding {
    static func toggle(_ s: inout AppState) {
        guard let c = s.cursor, let node = s.flow[c] else { return }
        if !node.children.isEmpty {
            if s.folded.contains(c) { s.folded.remove(c) } else { s.folded.insert(c) }
        } else if let p = node.parent {
            s.folded.insert(p)
            s.cursor = p
        }
    }

    static func foldAll(_ s: inout AppState) {
        s.folded = Set(s.flow.nodes.values.filter { !$0.children.isEmpty }.map(\.id))
    }

    /// Shows `depth` levels: 1 only use cases, 2 also main steps, 3 also extensions, and so on.
    static func fold(toDepth depth: Int, _ s: inout AppState) {
        let rows = s.rows
        s.folded = Set(s.flow.nodes.values.filter { !$0.children.isEmpty && rows.depth($0.id) == depth - 1 }.map(\.id))
        s.say("Showing \(depth) level\(depth == 1 ? "" : "s")")
    }
}
