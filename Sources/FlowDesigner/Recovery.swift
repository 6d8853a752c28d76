import FlowCore
import FlowFormats

/// Nothing typed is lost (docs/RELIABILITY.md): while there are unsaved changes, a recovery file
/// is kept current within a second of each change (a timer, then a job on the recovery lane);
/// a signal writes it at once before the program exits; a clean save or quit removes it; opening
/// a file that has one offers to recover it, show the difference, or discard it.
enum Recovery {
    /// How long after a change the recovery file is written.
    static let interval = Duration.seconds(1)

    /// The label being typed, when it differs from the flow's.
    static func typing(_ s: AppState) -> Typing? {
        guard case .editing(let session) = s.mode else { return nil }
        let text = session.editor.string
        guard text != (s.flow[session.target]?.text ?? "") else { return nil }
        return Typing(node: session.target, text: text)
    }

    static func dirty(_ s: AppState) -> Bool { !s.readOnly && (s.isModified || typing(s) != nil) }

    static func snapshot(_ s: AppState) -> AppState.Recovery.Snapshot {
        .init(revision: s.history.revision, typing: typing(s))
    }

    /// After every message: starts the timer when the recovery file is behind (or should go).
    static func schedule(_ s: inout AppState) -> [Effect] {
        guard !s.recovery.armed else { return [] }
        let behind = dirty(s) ? s.recovery.written != snapshot(s) : s.recovery.exists && !s.recovery.recovered
        guard behind else { return [] }
        s.recovery.armed = true
        return [.startTimer(.recovery, after: interval)]
    }

    static func fired(_ s: inout AppState) -> [Effect] {
        s.recovery.armed = false
        if dirty(s) {
            let now = snapshot(s)
            guard s.recovery.written != now else { return [] }
            s.recovery.written = now
            s.recovery.exists = true
            return [.run(write(s))]
        }
        // (Recovered changes undone are still the user's: kept until saved or dropped on purpose.)
        return s.recovery.recovered ? [] : removal(&s)
    }

    static func write(_ s: AppState) -> Job {
        .writeRecovery(document: s.path, flow: s.flow, typing: typing(s), revision: s.history.revision, base: s.diskStamp)
    }

    /// Removes this editor's recovery file, if it wrote one.
    static func removal(_ s: inout AppState) -> [Effect] {
        guard s.recovery.exists else { return [] }
        s.recovery.exists = false
        s.recovery.written = nil
        return [.run(.removeRecovery(document: s.path))]
    }

    /// The user quits on purpose: what is unsaved is dropped, and so is its recovery file; but
    /// recovered changes that were undone (the buffer shows the file as saved, so nothing asked)
    /// are kept for the next opening.
    static func quit(_ s: inout AppState) -> [Effect] {
        if s.recovery.recovered && !s.isModified { return [.quit] }
        return removal(&s) + [.quit]
    }

    /// A signal: write what is unsaved now, then exit with 128 + the signal's number.
    static func signalled(_ signal: Int32, _ s: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        if dirty(s) {
            effects.append(.runNow(write(s)))
        }
        effects.append(.exit(status: 128 + signal))
        return effects
    }

    static func failed(_ why: String, _ s: inout AppState) {
        s.recovery.written = nil
        if !s.recovery.failing { s.fail("Recovery file not written: \(why)") }
        s.recovery.failing = true
    }

    // MARK: Opening a file that has a recovery file or another editor


    static func lockedKey(_ key: Key, owner: LockOwner, then recovery: RecoveryFile?, _ s: inout AppState) -> [Effect] {
        switch key {
        case .char("o"), .char("r"):
            s.mode = .normal
            s.readOnly = true
            s.say("Read-only: another editor has it open. :w NAME writes a copy; \(s.key(.quit)) quits")
            // A viewer does not stand in line for the lock: the next editor is warned of the one
            // that edits, not of this one.
            return [.run(.standAside(document: s.path))]
        case .char("e"):
            s.mode = .normal
            s.offer(lock: nil, recovery: recovery)
            if recovery == nil { s.say("Editing although process \(owner.pid) on \(owner.host) has it open: saves may overwrite each other") }
        case .char("q"), .escape, .ctrl("c"):
            return [.quit]
        default:
            break
        }
        return []
    }

    static func offerKey(_ key: Key, _ recovery: RecoveryFile, _ s: inout AppState) -> [Effect] {
        switch key {
        case .char("r"):
            s.mode = .normal
            do {
                let recovered = try FlowMarkdownReader.read(recovery.text, file: recovery.path).flow
                // One change from what is on disk to what was recovered, so that undo shows the
                // file as saved and redo recovers again.
                let t = Self.replacement(of: &s.flow, by: recovered)
                s.flow.wording = recovered.wording
                s.history = History()
                s.folded = []
                s.detailCache = nil
                s.detailWanted = nil
                Editing.perform(t, cursorAfter: s.flow.useCases.first, &s)
                s.cursor = s.flow.useCases.first
                s.top = s.cursor
                // The recovery file stays until the recovered text is saved or discarded on
                // purpose: undoing it shows the file as saved, and quitting then keeps it.
                s.recovery.exists = true
                s.recovery.recovered = true
                s.say("Recovered the unsaved changes of \(recovery.written): \(s.key(.save)) saves them, \(s.key(.undo)) shows the file as saved"
                      + (recovery.changedSince ? " · the file had changed on disk since: saving replaces those changes" : ""))
            } catch {
                s.fail("The recovery file does not read (\(error.description)); it is kept: \(recovery.path)")
            }
        case .char("d"):
            let old = s.flow.useCases.isEmpty && s.flow.title.isEmpty ? "" : FlowMarkdownWriter.write(s.flow)
            s.mode = .recoveryDiff(recovery, lines: LineDiff.hunks(LineDiff.lines(from: old, to: recovery.text)), scroll: 0)
        case .char("x"), .char("D"):
            s.mode = .normal
            s.say("Discarded the unsaved changes of \(recovery.written)")
            return [.run(.removeRecovery(document: s.path))]
        case .char("q"), .ctrl("c"):
            return [.quit]
        default:
            break
        }
        return []
    }

    /// The change that turns `flow` into `other`: every use case taken out and the other's put in
    /// (with ids fresh in `flow`), and the title, as one transaction whose inverse is exact.
    static func replacement(of flow: inout Flow, by other: Flow) -> Transaction {
        var edits: [Edit] = flow.useCases.reversed().map { .remove($0) }
        if other.title != flow.title { edits.append(.setTitle(other.title)) }
        for (i, uc) in other.useCases.enumerated() {
            guard let tree = other.subtree(uc) else { continue }
            edits.append(.insert(flow.cloneWithFreshIDs(tree), parent: nil, index: i))
        }
        return Transaction("Recover unsaved changes", edits)
    }

    static func diffKey(_ key: Key, _ recovery: RecoveryFile, lines: [LineDiff.Line], scroll: Int, _ s: inout AppState) -> [Effect] {
        let page = max(1, s.height - 6)
        switch key {
        case .char("j"), .down: s.mode = .recoveryDiff(recovery, lines: lines, scroll: min(scroll + 1, max(0, lines.count - 1)))
        case .char("k"), .up: s.mode = .recoveryDiff(recovery, lines: lines, scroll: max(0, scroll - 1))
        case .pageDown, .char(" "), .ctrl("d"): s.mode = .recoveryDiff(recovery, lines: lines, scroll: min(scroll + page, max(0, lines.count - 1)))
        case .pageUp, .ctrl("u"): s.mode = .recoveryDiff(recovery, lines: lines, scroll: max(0, scroll - page))
        case .char("r"), .char("x"), .char("D"), .char("q"), .ctrl("c"):
            s.mode = .recoveryOffer(recovery)
            return offerKey(key, recovery, &s)
        default:
            s.mode = .recoveryOffer(recovery)
        }
        return []
    }
}

extension AppState {
    /// What to ask first when a file is opened: another editor has it, then unsaved changes were found.
    public mutating func offer(lock: LockOwner?, recovery: RecoveryFile?) {
        if let lock {
            mode = .locked(lock, then: recovery)
        } else if let recovery {
            mode = .recoveryOffer(recovery)
        }
    }
}
