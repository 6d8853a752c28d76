import FlowCore
import FlowDesigner
import FlowFormats
import FlowTerminal
import Foundation
import TestSupport
import Testing

/// docs/RELIABILITY.md: the recovery file, signals, locks, read-only opening, prompt errors.
@Suite struct RecoveryUpdateTests {
    @Test func aChangeStartsTheTimerAndItsFiringWritesTheRecoveryFile() {
        var s = fresh()
        #expect(press("j", &s).isEmpty)   // nothing changed, nothing to keep
        let effects = press("o", &s) + typeText("Clerk notes the call", &s) + press("Enter", &s)
        #expect(effects.filter { $0 == .startTimer(.recovery, after: .seconds(1)) }.count == 1)
        guard case .run(.writeRecovery(let doc, let flow, nil, let revision, _))? = App.update(&s, .timerFired(.recovery)).first else {
            Issue.record("no recovery write"); return
        }
        #expect(doc == "crm.flow.md" && flow == s.flow && revision == s.history.revision)
        // Nothing new: the timer is not started again, and firing writes nothing.
        #expect(press("j", &s).isEmpty)
        #expect(App.update(&s, .timerFired(.recovery)).isEmpty)
    }

    @Test func aLabelBeingTypedIsKeptToo() {
        var s = fresh()
        let effects = press("j e Ctrl-U", &s) + typeText("半句话", &s)
        #expect(effects.contains(.startTimer(.recovery, after: .seconds(1))))
        guard case .run(.writeRecovery(_, _, let typing?, _, _))? = App.update(&s, .timerFired(.recovery)).first else {
            Issue.record("the typed label is not kept"); return
        }
        #expect(typing.text == "半句话" && typing.node == s.cursor)
    }

    @Test func aCleanSaveAQuitAndAnUndoRemoveIt() {
        var s = fresh()
        press("j o", &s); typeText("x", &s); press("Enter", &s)
        _ = App.update(&s, .timerFired(.recovery))
        #expect(s.recovery.exists)
        guard case .save(let r)? = press("Ctrl-S", &s).firstJob else { Issue.record("no save"); return }
        #expect(App.update(&s, .saved(Saved(path: r.path, revision: r.revision, stamp: nil))).contains(.run(.removeRecovery(document: "crm.flow.md"))))
        #expect(!s.recovery.exists)

        press("j o", &s); typeText("y", &s); press("Enter", &s)
        _ = App.update(&s, .timerFired(.recovery))
        #expect(press("q n", &s) == [.run(.removeRecovery(document: "crm.flow.md")), .quit])

        var u = fresh()
        press("j o", &u); typeText("z", &u); press("Enter", &u)
        _ = App.update(&u, .timerFired(.recovery))
        // Undoing back to what is on disk: the recovery file goes at the next tick.
        #expect(press("u", &u).contains(.startTimer(.recovery, after: .seconds(1))))
        #expect(App.update(&u, .timerFired(.recovery)) == [.run(.removeRecovery(document: "crm.flow.md"))])
    }

    @Test func aSignalWritesAtOnceThenExits() {
        var s = fresh()
        #expect(App.update(&s, .signalled(SIGHUP)) == [.exit(status: 129)])
        press("j o", &s); typeText("x", &s); press("Enter", &s)
        let effects = App.update(&s, .signalled(SIGTERM))
        guard effects.count == 2, case .runNow(.writeRecovery(_, let flow, _, _, _)) = effects[0] else {
            Issue.record("no immediate write: \(effects)"); return
        }
        #expect(flow == s.flow && effects[1] == .exit(status: 143))
    }

    @Test func theOfferRecoversShowsTheDifferenceOrDiscards() throws {
        let recovered = SampleFlow.text.replacingOccurrences(of: "3. 系统显示主页", with: "3. 系统显示主页\n4. 系统记录登录日志")
        let file = RecoveryFile(path: "/state/crm.recover.flow.md", text: recovered, written: "2026-11-30 06:41")
        var s = fresh()
        s.offer(lock: nil, recovery: file)
        #expect(s.mode == .recoveryOffer(file))
        #expect(Render.screen(s).text.contains("Unsaved changes found"))
        press("d", &s)
        guard case .recoveryDiff(_, let lines, _) = s.mode else { Issue.record("no difference shown"); return }
        #expect(lines.contains(.added("4. 系统记录登录日志")))
        #expect(Render.screen(s).text.contains("+ 4. 系统记录登录日志"))
        press("Esc", &s)
        #expect(s.mode == .recoveryOffer(file))
        press("r", &s)
        #expect(s.mode == .normal && s.isModified && s.flow.stepCount == SampleFlow.flow().stepCount + 1)
        // The recovery is one change: undo shows the file as it is on disk, redo recovers
        // again. Undone, the recovered changes are still kept (the recovery file stays, and a
        // quit, which asks nothing of an unchanged buffer, leaves it for the next opening).
        let recoveredFlow = s.flow
        press("u", &s)
        #expect(s.flow == SampleFlow.flow() && !s.isModified)
        #expect(App.update(&s, .timerFired(.recovery)) == [])
        var quitting = s
        #expect(press("q", &quitting) == [.quit])
        var opening = s
        press(":", &opening); typeText("e other.flow.md", &opening)
        #expect(press("Enter", &opening) == [.run(.open(path: "other.flow.md", leaving: "crm.flow.md"))])
        press("Ctrl-R", &s)
        #expect(s.flow == recoveredFlow && s.isModified)
        #expect(FlowMarkdownWriter.write(s.flow) == FlowMarkdownWriter.write(try FlowMarkdownReader.read(recovered).flow))
        // Saved, they are the file's: the recovery file goes.
        guard case .save(let r)? = press("Ctrl-S", &s).firstJob else { Issue.record("no save"); return }
        #expect(App.update(&s, .saved(Saved(path: r.path, revision: r.revision, stamp: nil))).contains(.run(.removeRecovery(document: "crm.flow.md"))))
        #expect(!s.recovery.recovered)

        // A file changed on disk since the changes were made: said in the offer and after.
        let since = RecoveryFile(path: file.path, text: recovered, written: file.written, changedSince: true)
        var c = fresh()
        c.offer(lock: nil, recovery: since)
        #expect(Render.screen(c).text.contains("has changed on disk since then"))
        press("r", &c)
        #expect(c.message?.text.contains("the file had changed on disk since: saving replaces those changes") == true)

        var t = fresh()
        t.offer(lock: nil, recovery: file)
        #expect(press("x", &t) == [.run(.removeRecovery(document: "crm.flow.md"))])
        #expect(t.flow == SampleFlow.flow() && !t.isModified)
    }

    @Test func theOffersKeysShowAtAnySize() {
        let file = RecoveryFile(path: "/state/small.recover.flow.md", text: SampleFlow.text, written: "2026-12-01 04:26")
        let owner = LockOwner(pid: 4242, host: "build-7", since: "2026-11-30 06:00")
        for (width, height) in [(24, 6), (30, 8), (40, 12), (80, 24)] {
            for locked in [false, true] {
                var s = fresh()
                s.width = width
                s.height = height
                s.offer(lock: locked ? owner : nil, recovery: locked ? nil : file)
                let text = Render.screen(s).text
                let keys = locked ? ["o  open", "e  edit", "q  quit"] : ["r  recover", "d  show", "x  discard", "q  quit"]
                for key in keys { #expect(text.contains(key), "\(width)×\(height): \(key) not shown:\n\(text)") }
                // What the box is about, at least its start.
                #expect(text.contains(locked ? "is open in" : "has unsaved") || text.contains(locked ? "Already open" : "Unsaved changes"), "\(text)")
            }
        }
    }

    @Test func anotherEditorsFileOpensReadOnly() {
        var s = fresh()
        s.offer(lock: LockOwner(pid: 4242, host: "build-7", since: "2026-11-30 06:00"), recovery: nil)
        #expect(Render.screen(s).text.contains("process 4242 on build-7"))
        // Opening it read-only takes back the lock put beside the holder's: no viewer is in line for it.
        #expect(press("o", &s).firstJob == .standAside(document: s.path))
        #expect(s.readOnly && s.mode == .normal)
        let before = s.flow
        for keys in ["j d d", "o", "x", "u", "p", "J", "e", "s", "S"] {
            press(keys, &s)
            #expect(s.flow == before && s.message?.text.hasPrefix("Read-only") == true, "\(keys)")
            press("Esc", &s)
        }
        #expect(press("Ctrl-S", &s).isEmpty && s.message?.text.hasPrefix("Read-only") == true)
        press(":", &s); typeText("title x", &s); press("Enter", &s)
        #expect(s.flow.title == before.title)
        // A copy under another name is allowed.
        press(":", &s); typeText("w copy.flow.md", &s)
        guard case .save(let r)? = press("Enter", &s).firstJob else { Issue.record("no copy"); return }
        #expect(r.path == "copy.flow.md")
        #expect(Render.screen(s).text.contains("[read-only]"))
    }

    @Test func everyPromptShowsItsOwnErrorInPlace() {
        for (w, h) in [(80, 24), (40, 12)] {
            var s = fresh()
            _ = App.update(&s, .resized(width: w, height: h))
            press("j j j E Ctrl-U", &s)
            typeText("banana", &s)
            press("Enter", &s)
            guard case .ending = s.mode else { Issue.record("the prompt closed"); continue }
            let screen = Render.screen(s).text
            #expect(screen.contains("No step banana"), "\(w)×\(h):\n\(screen)")
            // Typing again clears it.
            press("Ctrl-U", &s)
            #expect(!Render.screen(s).text.contains("No step banana"))
            press("Esc / z z z", &s)
            #expect(Render.screen(s).text.contains("Not found: zzz"), "\(w)×\(h)")
        }
    }

    @Test func whatIsTypedInAPromptShowsAtAnySize() {
        for (w, h) in [(24, 8), (30, 8), (40, 12), (80, 24)] {
            var s = fresh()
            _ = App.update(&s, .resized(width: w, height: h))
            for (open, typed) in [("j j j E Ctrl-U", "fail"), (":", "w x.md"), ("/", "客服")] {
                press(open, &s)
                typeText(typed, &s)
                let bottom = Render.screen(s).text.split(separator: "\n", omittingEmptySubsequences: false)[h - 1]
                #expect(bottom.contains(typed), "\(w)×\(h) \(open): \(bottom)")
                press("Esc g", &s)
            }
        }
    }
}

/// The real loop with a state folder: the recovery file on disk, its mode, the lock.
@Suite struct RecoveryDriverTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "fs-recovery-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @Test func theRecoveryFileIsWrittenWithinASecondKeptPrivateAndRemovedBySaving() throws {
        let path = dir + "/crm.flow.md"
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        let docs = DocumentFiles(directory: dir + "/state")
        let d = Driver(SampleFlow.flow(), path: path, documents: docs)
        d.loop.setDiskStamp(TextFile.stamp(path))
        d.keys("G o").type("Clerk notes the call").keys("Enter")
        #expect(d.loop.timerRunning(.recovery))
        #expect(!FileManager.default.fileExists(atPath: docs.recoveryPath(path)))
        d.advance(by: .seconds(1))
        let text = try String(contentsOfFile: docs.recoveryPath(path), encoding: .utf8)
        #expect(text.contains("Clerk notes the call"))
        let mode = try FileManager.default.attributesOfItem(atPath: docs.recoveryPath(path))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Found again when the file is opened, newer than the file itself.
        #expect(docs.recovery(for: path)?.text == text)
        d.keys("Ctrl-S")
        #expect(d.state.message?.text == "Saved \(path)")
        #expect(!FileManager.default.fileExists(atPath: docs.recoveryPath(path)))
    }

    @Test func aDanglingLinkOpensAsANewFlowAndSavingCreatesItsTarget() throws {
        let path = dir + "/link.flow.md"
        symlink("made/target.flow.md", path)
        guard case .opened(let o) = DocumentFiles.read(path) else { Issue.record("not opened"); return }
        #expect(o.isNew && o.flow.useCases.isEmpty)
        try FileManager.default.createDirectory(atPath: dir + "/made", withIntermediateDirectories: true)
        let d = Driver(SampleFlow.flow(), path: path)
        d.keys("Ctrl-S")
        #expect(d.state.message?.text == "Saved \(path) → \(dir)/made/target.flow.md")
        #expect(try String(contentsOfFile: dir + "/made/target.flow.md", encoding: .utf8) == SampleFlow.text)
    }

    @Test func changesDroppedWithEditBangAreNotOfferedBack() throws {
        let path = dir + "/dropped.flow.md"
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        let docs = DocumentFiles(directory: dir + "/state")
        for refusedSaveFirst in [false, true, false, true, true] {
            let d = Driver(SampleFlow.flow(), path: path, documents: docs)
            d.loop.setDiskStamp(TextFile.stamp(path))
            d.keys("G o").type("mine").keys("Enter")
            d.advance(by: .seconds(1))
            #expect(FileManager.default.fileExists(atPath: docs.recoveryPath(path)))
            if refusedSaveFirst {
                try (SampleFlow.text + "\n## Theirs\n\n1. x\n").write(toFile: path, atomically: true, encoding: .utf8)
                d.keys("Ctrl-S")
                #expect(d.state.message?.text.hasPrefix("Not saved: \(path) changed on disk") == true)
            }
            d.send([.key(.char(":"))]).type("e! \(path)").keys("Enter")
            #expect(d.state.mode == .normal, "after :e! (a refused save first: \(refusedSaveFirst)): \(d.state.mode)")
            #expect(!FileManager.default.fileExists(atPath: docs.recoveryPath(path)))
            d.keys("Ctrl-Q")
        }
    }

    @Test func aSignalWritesTheRecoveryFileBeforeTheLoopEnds() throws {
        let path = dir + "/sig.flow.md"
        let docs = DocumentFiles(directory: dir + "/state")
        let d = Driver(SampleFlow.flow(), path: path, documents: docs)
        d.keys("G e Ctrl-U").type("typed but not kept yet")
        d.send([.signalled(SIGHUP)])
        #expect(d.loop.finished && d.loop.exitStatus == 129)
        #expect(try String(contentsOfFile: docs.recoveryPath(path), encoding: .utf8).contains("typed but not kept yet"))
    }

    @Test func locksNameTheirOwnerAndStaleOnesAreTakenOver() throws {
        let docs = DocumentFiles(directory: dir + "/state")
        let path = dir + "/locked.flow.md"
        #expect(docs.lock(path) == nil)
        #expect(docs.lock(path) == nil)   // our own lock
        docs.unlock(path)
        #expect(!FileManager.default.fileExists(atPath: docs.lockPath(path)))
        // Another live process on this host (pid 1 always runs).
        try "1 \(DocumentFiles.hostName) 1764480000\n".write(toFile: docs.lockPath(path), atomically: true, encoding: .utf8)
        #expect(docs.lock(path)?.pid == 1)
        // Another host: cannot be checked, so it is reported.
        try "77 elsewhere 1764480000\n".write(toFile: docs.lockPath(path), atomically: true, encoding: .utf8)
        #expect(docs.lock(path)?.host == "elsewhere")
        // A process of this host that is gone: stale, taken over.
        try "999999999 \(DocumentFiles.hostName) 1764480000\n".write(toFile: docs.lockPath(path), atomically: true, encoding: .utf8)
        #expect(docs.lock(path) == nil)
        #expect(try String(contentsOfFile: docs.lockPath(path), encoding: .utf8).hasPrefix("\(getpid()) "))
        // A link and its target share one lock.
        symlink(path, dir + "/alias.flow.md")
        #expect(docs.lockPath(dir + "/alias.flow.md") == docs.lockPath(path))
    }

    @Test func theLockGoesToAnEditorStillBesideItsHolder() throws {
        let docs = DocumentFiles(directory: dir + "/state")
        let path = dir + "/shared.flow.md"
        let host = DocumentFiles.hostName
        // We hold it; another editor (pid 1, always running) opened it all the same, and one that
        // did so has gone since.
        #expect(docs.lock(path) == nil)
        try "1 \(host) 1764480000\n".write(toFile: docs.sideLockPath(path, pid: 1), atomically: true, encoding: .utf8)
        try "999999999 \(host) 1764490000\n".write(toFile: docs.sideLockPath(path, pid: 999999999), atomically: true, encoding: .utf8)
        docs.unlock(path)
        // The lock is the live one's now, so a third editor is warned of it; the gone one's went.
        #expect(try String(contentsOfFile: docs.lockPath(path), encoding: .utf8).hasPrefix("1 "))
        #expect(docs.lock(path)?.pid == 1)
        #expect(!FileManager.default.fileExists(atPath: docs.sideLockPath(path, pid: 999999999)))
        // Opening it while pid 1 has it puts our lock beside it; giving it back removes that.
        let (owner, _) = docs.claim(path)
        #expect(owner?.pid == 1)
        #expect(FileManager.default.fileExists(atPath: docs.sideLockPath(path)))
        docs.unlock(path)
        #expect(!FileManager.default.fileExists(atPath: docs.sideLockPath(path)))
        #expect(docs.lock(path)?.pid == 1)
        // A holder that is gone while an editor is still beside it: the lock is that editor's.
        try "999999999 \(host) 1764480000\n".write(toFile: docs.lockPath(path), atomically: true, encoding: .utf8)
        try "1 \(host) 1764480000\n".write(toFile: docs.sideLockPath(path, pid: 1), atomically: true, encoding: .utf8)
        #expect(docs.lock(path)?.pid == 1)
        #expect(!FileManager.default.fileExists(atPath: docs.sideLockPath(path, pid: 1)))
    }

    /// A state folder and a flow file `name` with a recovery file, newer than the file, that adds `added`.
    func withRecovery(_ name: String, adding added: String) throws -> (DocumentFiles, String) {
        let docs = DocumentFiles(directory: dir + "/state")
        let path = dir + "/" + name
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.01)
        try docs.writeRecovery(SampleFlow.text + added, for: path, base: TextFile.stamp(path))
        return (docs, path)
    }

    @Test func unsavedWorkIsOfferedWhateverHappenedToTheFileSince() throws {
        // The file was made newer after the editor died (a checkout, a touch): still offered,
        // said to have changed since. (It was passed over, then overwritten by the next edit.)
        let (docs, path) = try withRecovery("since.flow.md", adding: "\n## Mine\n\n1. precious\n")
        #expect(docs.recovery(for: path)?.changedSince == false)
        Thread.sleep(forTimeInterval: 0.01)
        try (SampleFlow.text + "\n## Theirs\n\n1. x\n").write(toFile: path, atomically: true, encoding: .utf8)
        let offered = try #require(docs.recovery(for: path))
        #expect(offered.changedSince && offered.text.contains("precious"))
        // Changed before the editor died, after it read the file: its recovery file, written
        // later, notes what it was a change of, and that tells.
        let base = TextFile.stamp(path)
        try (SampleFlow.text + "\n## Colleague\n\n1. y\n").write(toFile: path, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.01)
        try docs.writeRecovery(SampleFlow.text + "\n## Mine\n\n1. precious\n", for: path, base: base)
        #expect(docs.recovery(for: path)?.changedSince == true)
        try docs.writeRecovery(SampleFlow.text + "\n## Mine\n\n1. precious\n", for: path, base: TextFile.stamp(path))
        #expect(docs.recovery(for: path)?.changedSince == false)
        // One that holds just what the file does holds nothing unsaved: not offered, and gone.
        try docs.writeRecovery(try String(contentsOfFile: path, encoding: .utf8), for: path, base: nil)
        #expect(docs.recovery(for: path) == nil && !FileManager.default.fileExists(atPath: docs.recoveryPath(path)))
        // A file that does not open says where its unsaved changes wait.
        try docs.writeRecovery(SampleFlow.text + "\n## Mine\n\n1. precious\n", for: path, base: nil)
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0x23, 0x23, 0x20, 0x41, 0x0A, 0xFF])))
        guard case .openFailed(let why) = docs.open(path) else { Issue.record("opened"); return }
        #expect(why.contains("its unsaved changes of") && why.contains(docs.recoveryPath(path)), "\(why)")
        // Nor does one whose last save did not finish.
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        let backup = dir + "/.since.flow.md.flowsmith-backup-AbC123"
        try SampleFlow.text.write(toFile: backup, atomically: true, encoding: .utf8)
        guard case .openFailed(let cut) = docs.open(path) else { Issue.record("opened"); return }
        #expect(cut.contains("a save of it did not finish"), "\(cut)")
    }

    @Test func anotherLiveEditorsRecoveryFileIsNeitherOfferedNorTouched() throws {
        // The first editor (pid 1 always runs) has unsaved changes in the shared recovery file.
        let (docs, path) = try withRecovery("two.flow.md", adding: "\n## Theirs\n\n1. one\n")
        let theirs = docs.recoveryPath(path)
        try "1 \(DocumentFiles.hostName) 1764480000\n".write(toFile: docs.lockPath(path), atomically: true, encoding: .utf8)
        // A second editor is told who has the file, and offered nothing of theirs.
        let (owner, offered) = docs.claim(path)
        #expect(owner?.pid == 1 && offered == nil)
        // Editing anyway, it writes and removes its own recovery file, never theirs.
        let mine = docs.recoveryPath(path)
        #expect(mine != theirs && mine.hasSuffix(".p\(getpid())@\(DocumentFiles.safeName(DocumentFiles.hostName)).recover.flow.md"))
        try docs.writeRecovery(SampleFlow.text + "\n## Mine\n\n1. two\n", for: path)
        #expect(try String(contentsOfFile: theirs, encoding: .utf8).contains("## Theirs"))
        docs.removeRecovery(for: path)
        #expect(FileManager.default.fileExists(atPath: theirs) && !FileManager.default.fileExists(atPath: mine))
        // Through the editor: "edit anyway" offers no recovery, and discarding is impossible.
        let d = Driver(SampleFlow.flow(), path: dir + "/first.flow.md", documents: docs)
        d.send([.key(.char(":"))]).type("e \(path)").keys("Enter")
        guard case .locked = d.state.mode else { Issue.record("not told: \(d.state.mode)"); return }
        d.keys("e")
        #expect(d.state.mode == .normal && FileManager.default.fileExists(atPath: theirs))
    }

    @Test func aGoneSecondEditorsRecoveryFileIsOfferedNextTime() throws {
        let docs = DocumentFiles(directory: dir + "/state")
        let path = dir + "/left.flow.md"
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.01)
        // A second editor of this host wrote its own recovery file, then died (no such process).
        try FileManager.default.createDirectory(atPath: docs.directory, withIntermediateDirectories: true)
        let left = docs.ownRecoveryPath(path, pid: 999_999_999)
        try SampleFlow.text.appending("\n## Left\n\n1. one\n").write(toFile: left, atomically: true, encoding: .utf8)
        // One of another host cannot be told gone: it is left alone.
        let elsewhere = docs.ownRecoveryPath(path, pid: 999_999_999, host: "elsewhere")
        try "x".write(toFile: elsewhere, atomically: true, encoding: .utf8)
        // The shared recovery file, when there is one to offer, comes first; the left one stays.
        try docs.writeRecovery(SampleFlow.text + "\n## Shared\n\n1. one\n", for: path)
        #expect(docs.claim(path).recovery?.text.contains("## Shared") == true && FileManager.default.fileExists(atPath: left))
        docs.removeRecovery(for: path)
        let (owner, offered) = docs.claim(path)
        #expect(owner == nil && offered?.text.contains("## Left") == true)
        #expect(offered?.path == docs.recoveryPath(path) && !FileManager.default.fileExists(atPath: left))
        #expect(FileManager.default.fileExists(atPath: elsewhere))
        docs.unlock(path)
    }

    @Test func openingAnotherFileOffersItsRecoveryFile() throws {
        let (docs, other) = try withRecovery("other.flow.md", adding: "\n## Extra\n\n1. one\n")
        let d = Driver(SampleFlow.flow(), path: dir + "/first.flow.md", documents: docs)
        d.send([.key(.char(":"))]).type("e \(other)").keys("Enter")
        guard case .recoveryOffer(let file) = d.state.mode else { Issue.record("no offer: \(d.state.mode)"); return }
        #expect(file.text.contains("## Extra"))
        d.keys("r")
        #expect(d.state.flow.useCases.count == 3 && d.state.isModified)
    }

    @Test func openingAnotherFileGivesBackTheFirstOnesLockAndDropsItsRecoveryFile() throws {
        let docs = DocumentFiles(directory: dir + "/state")
        let first = dir + "/first.flow.md", second = dir + "/second.flow.md"
        try SampleFlow.text.write(toFile: second, atomically: true, encoding: .utf8)
        #expect(docs.lock(first) == nil)
        let d = Driver(SampleFlow.flow(), path: first, documents: docs)
        d.keys("G o").type("unsaved").keys("Enter")
        d.advance(by: .seconds(1))
        #expect(FileManager.default.fileExists(atPath: docs.recoveryPath(first)))
        d.send([.key(.char(":"))]).type("e! \(second)").keys("Enter")
        #expect(d.state.path == second)
        #expect(!FileManager.default.fileExists(atPath: docs.lockPath(first)))
        #expect(FileManager.default.fileExists(atPath: docs.lockPath(second)))
        #expect(!FileManager.default.fileExists(atPath: docs.recoveryPath(first)))
    }
}

/// A large file shows its head at once; the whole flow replaces it when read, keeping the cursor.
@Suite struct LargeFileTests {
    static func bigText(useCases: Int) -> String {
        var flow = Flow(title: "Big")
        for u in 1...useCases {
            let uc = flow.addUseCase("Use case \(u)")
            for i in 1...8 { flow.addStep("Clerk does \(i) in \(u)", to: uc) }
        }
        return FlowMarkdownWriter.write(flow)
    }

    @Test func theHeadHasTheWholeFlowsIdsAndTheRestReplacesIt() throws {
        let bytes = Array(Self.bigText(useCases: 400).utf8)
        let cut = try #require(FlowMarkdownReader.headCut(bytes, after: 4096))
        #expect(Array(bytes[cut..<(cut + 3)]) == Array("## ".utf8))
        let head = FlowMarkdownReader.readAll(bytes: Array(bytes[..<cut])).0.flow
        let whole = FlowMarkdownReader.readAll(bytes: bytes).0.flow
        #expect(head.useCases.count < whole.useCases.count)
        #expect(head.useCases == Array(whole.useCases.prefix(head.useCases.count)))
        for id in head.useCases { #expect(head.subtree(id) == whole.subtree(id)) }
        #expect(FlowMarkdownReader.headCut(Array(bytes.prefix(6000)), after: 4096) == nil)

        var s = AppState(flow: head, path: "big.flow.md")
        s.loading = "big.flow.md"
        press("j j j", &s)
        let cursor = s.cursor
        let before = s.flow
        for keys in ["d d", "o", "e", "Ctrl-S"] {
            let effects = press(keys, &s)
            #expect(s.flow == before && effects.isEmpty, "\(keys)")
            #expect(s.message?.text.hasPrefix("Still reading") == true)
            press("Esc", &s)
        }
        #expect(Render.screen(s).text.contains("reading…"))
        _ = App.update(&s, .loaded(path: "big.flow.md", flow: whole))
        #expect(s.loading == nil && s.flow == whole && s.cursor == cursor && !s.isModified)
        press("G", &s)
        #expect(s.position == "UC 400 · 8")
    }

    @Test func mistakesInTheRestAreListedAndNothingIsOpened() {
        var s = AppState(flow: Flow(), path: "big.flow.md", width: 80, height: 24)
        s.loading = "big.flow.md"
        _ = App.update(&s, .loadFailed(path: "big.flow.md", errors: ["big.flow.md:9000:1: expected a use case heading"]))
        let screen = Render.screen(s).text
        #expect(screen.contains("Not opened") && screen.contains("big.flow.md:9000:1: expected a use case heading"))
        #expect(press("x", &s) == [.exit(status: 1)])
    }

    @Test func theRealLoopReadsTheRestOnAWorker() throws {
        let bytes = Array(Self.bigText(useCases: 300).utf8)
        let cut = try #require(FlowMarkdownReader.headCut(bytes, after: 4096))
        let head = FlowMarkdownReader.readAll(bytes: Array(bytes[..<cut])).0.flow
        let d = Driver(head, path: "big.flow.md")
        d.loop.startLoading(path: "big.flow.md", bytes: bytes)
        d.keys("G")
        #expect(d.state.loading == nil && d.state.flow.useCases.count == 300)
        var broken = bytes
        broken += Array("\nnot a list item\n".utf8)
        let e = Driver(head, path: "big.flow.md")
        e.loop.startLoading(path: "big.flow.md", bytes: broken)
        e.keys("j")
        guard case .loadFailed(_, let errors) = e.state.mode else { Issue.record("no failure shown"); return }
        #expect(errors.first?.hasPrefix("big.flow.md:") == true)
    }
}
