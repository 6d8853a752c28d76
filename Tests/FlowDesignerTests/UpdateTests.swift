import FlowCore
@testable import FlowDesigner
import FlowFormats
import TestSupport
import Testing

/// Sends keys (config-file names, space separated) through `update`; returns every effect.
@discardableResult
func press(_ names: String, _ s: inout AppState) -> [Effect] {
    var effects: [Effect] = []
    for name in names.split(separator: " ") {
        guard let key = Key(name: String(name)) else { Issue.record("bad key name \(name)"); continue }
        effects += App.update(&s, .key(key))
    }
    return effects
}

@discardableResult
func typeText(_ text: String, _ s: inout AppState) -> [Effect] {
    text.flatMap { App.update(&s, .key(.char($0))) }
}

func fresh() -> AppState { AppState(flow: SampleFlow.flow(), path: "crm.flow.md") }

func at(_ s: AppState) -> String { s.position }

@Suite struct MoveTests {
    @Test func downUpFirstLast() {
        var s = fresh()
        #expect(at(s) == "UC 1")
        press("j", &s); #expect(at(s) == "UC 1 · 1")
        press("Down Down", &s); #expect(at(s) == "UC 1 · 2a")
        press("k", &s); #expect(at(s) == "UC 1 · 2")
        press("Up", &s); #expect(at(s) == "UC 1 · 1")
        press("G", &s); #expect(at(s) == "UC 2 · 2")
        press("g", &s); #expect(at(s) == "UC 1")
        press("End", &s); #expect(at(s) == "UC 2 · 2")
        press("Home", &s); #expect(at(s) == "UC 1")
        press("k", &s); #expect(at(s) == "UC 1")   // stays at the top
    }

    @Test func pagesMoveByAScreen() {
        var s = AppState(flow: RandomFlow.large(steps: 500), path: nil, width: 80, height: 12)
        press("PgDn", &s)
        #expect(s.rows.window(from: s.rows.first!, count: 11).last == s.cursor)
        press("Ctrl-D Ctrl-U", &s)
        #expect(s.rows.window(from: s.rows.first!, count: 11).last == s.cursor)
        press("PgUp", &s)
        #expect(at(s) == "UC 1")
    }

    @Test func leftFoldsThenGoesUpRightUnfoldsThenGoesDown() {
        var s = fresh()
        press("j j", &s)                       // step 2, which has extensions
        press("h", &s)
        #expect(s.folded.contains(s.cursor!) && at(s) == "UC 1 · 2")
        press("Left", &s); #expect(at(s) == "UC 1")
        press("j j l", &s)
        #expect(s.folded.isEmpty && at(s) == "UC 1 · 2")
        press("Right", &s); #expect(at(s) == "UC 1 · 2a")
    }

    @Test func useCaseJumps() {
        var s = fresh()
        press("]", &s); #expect(at(s) == "UC 2")
        press("j", &s); press("[", &s); #expect(at(s) == "UC 2")
        press("[", &s); #expect(at(s) == "UC 1")
    }

    @Test func commandLineJumps() {
        var s = fresh()
        press(":", &s); typeText("2b1", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 2b1")
        press(":", &s); typeText("2 2", &s); press("Enter", &s)
        #expect(at(s) == "UC 2 · 2")
        press(":", &s); typeText("9z", &s); press("Enter", &s)
        #expect(s.message?.text == "No step 9z in use case 2" && at(s) == "UC 2 · 2")
        press(":", &s); typeText("uc 1", &s); press("Enter", &s)
        #expect(at(s) == "UC 1")
        press(":", &s); typeText("frobnicate", &s); press("Enter", &s)
        #expect(s.message?.kind == .error)
    }
}

@Suite struct FoldTests {
    @Test func toggleFoldAllAndDepth() {
        var s = fresh()
        press("Space", &s)
        #expect(s.folded == [s.flow.useCases[0]])
        press("z a", &s)
        #expect(s.folded.isEmpty)
        press("z M", &s)
        #expect(s.folded.count == 5)            // two use cases, step 2 and its two extensions
        press("z R", &s)
        #expect(s.folded.isEmpty)
        press("1", &s)
        #expect(s.folded == Set(s.flow.useCases))
        press("2", &s)
        #expect(s.folded.count == 1)             // step 2 of use case 1
        press("3", &s)
        #expect(s.folded.count == 2)             // its two extensions
    }

    @Test func foldingMovesTheCursorToTheFoldedRow() {
        var s = fresh()
        press("j j j j", &s)                     // 2a1
        press("1", &s)
        #expect(at(s) == "UC 1")
    }

    @Test func spaceOnALeafFoldsItsParent() {
        var s = fresh()
        press("j", &s)
        press("Space", &s)
        #expect(at(s) == "UC 1" && s.folded == [s.flow.useCases[0]])
    }
}

@Suite struct EditTests {
    @Test func addAfterAndBeforeThenUndoRedo() {
        var s = fresh()
        press("j o", &s)
        typeText("系统记录日志", &s)
        press("Enter", &s)
        #expect(at(s) == "UC 1 · 2")
        #expect(s.flow[s.cursor!]?.text == "系统记录日志")
        #expect(s.history.undoStack.count == 1 && s.isModified)
        press("O", &s); typeText("before", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 2" && s.flow[s.cursor!]?.text == "before")
        press("u u", &s)
        #expect(s.flow == SampleFlow.flow() && !s.isModified)
        press("Ctrl-R", &s)
        #expect(s.flow.stepCount == SampleFlow.flow().stepCount + 1)
    }

    @Test func enterAddsAndEscapeOrEmptyCancelsWithoutAHistoryEntry() {
        var s = fresh()
        press("j Enter", &s); typeText("x", &s); press("Esc", &s)
        #expect(s.flow == SampleFlow.flow() && s.history.undoStack.isEmpty)
        press("o Enter", &s)
        #expect(s.flow == SampleFlow.flow() && s.history.undoStack.isEmpty)
    }

    @Test func cancellingOrEmptyRowsAndUndoReturnTheCursor() {
        var s = fresh()
        press(":", &s); typeText("3", &s); press("Enter", &s)
        press("x Esc", &s)
        #expect(at(s) == "UC 1 · 3")
        press("o Enter", &s)
        #expect(at(s) == "UC 1 · 3" && s.message?.text == "Nothing added: the new row was empty")
        press("o", &s); typeText("abc", &s); press("Enter u", &s)
        #expect(at(s) == "UC 1 · 3" && s.message?.text == "Undid: Add step")
    }

    @Test func deletingAResumeTargetSaysWhichExtensionsPointedThere() {
        var s = fresh()
        press("j d d", &s)
        #expect(s.message?.text == "Deleted step 1 · u undoes, p pastes it · extension 1a resumed there: E sets a new ending")
    }

    @Test func endingPromptTakesChineseAndKeepsAMistake() {
        var s = fresh()
        press(":", &s); typeText("2a", &s); press("Enter E Ctrl-U", &s); typeText("失败", &s); press("Enter", &s)
        let ext = s.cursor!
        #expect(s.flow[ext]?.ending == .failure)
        press("E Ctrl-U", &s); typeText("Resume at 3.", &s); press("Enter", &s)
        #expect(s.flow.describe(ext) == "extension 2a")
        if case .resume(.step(let t))? = s.flow[ext]?.ending { #expect(s.flow.number(of: t) == "3") } else { Issue.record("not resumed") }
        press("E Ctrl-U", &s); typeText("9", &s); press("Enter", &s)
        #expect(s.mode == .ending(LineEditor("9"), target: ext) && s.message?.kind == .error)
        // As a Chinese file writes them, with a fullwidth number, or the colon a condition was typed with.
        for (typed, number) in [("回到第1步。", "1"), ("返回步骤 ３", "3"), ("２", "2")] {
            press("Esc E Ctrl-U", &s); typeText(typed, &s); press("Enter", &s)
            if case .resume(.step(let t))? = s.flow[ext]?.ending { #expect(s.flow.number(of: t) == number, "\(typed)") } else { Issue.record("\(typed): not resumed") }
        }
        press("Esc E Ctrl-U", &s); typeText("结束：成功", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .success)
        // "结束" alone says no ending: refused, never taken as going on.
        for typed in ["结束", "结束：", "end:"] {
            press("Esc E Ctrl-U", &s); typeText(typed, &s); press("Enter", &s)
            #expect(s.flow[ext]?.ending == .success && s.message?.kind == .error, "\(typed): \(String(describing: s.message))")
        }
        for (typed, number) in [("继续第3步", "3"), ("第2步", "2")] {
            press("Esc E Ctrl-U", &s); typeText(typed, &s); press("Enter", &s)
            if case .resume(.step(let t))? = s.flow[ext]?.ending { #expect(s.flow.number(of: t) == number, "\(typed)") } else { Issue.record("\(typed): not resumed") }
        }
        press("Esc E Ctrl-U", &s); typeText("继续", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .resumeNext)
        press("Esc E Ctrl-U", &s); typeText("成功", &s); press("Enter", &s)
        press("Esc E", &s)
        #expect(s.mode == .ending(LineEditor("success", selected: true), target: ext), "the file's endings are English")
        press("Esc e Ctrl-U", &s); typeText("发票原件缺失：", &s); press("Enter", &s)
        #expect(s.flow[ext]?.text == "发票原件缺失")
    }

    /// With a Chinese input method on, the fullwidth keys it types are the keys they stand for;
    /// a Chinese document's new rows show Chinese examples, and a field typed with "：" keeps it.
    @Test func aChineseKeyboardWorksTheTree() throws {
        var s = fresh()
        press("ｊ", &s)
        #expect(at(s) == "UC 1 · 1")
        typeText("：", &s)
        guard case .command = s.mode else { Issue.record("： did not open the command line"); return }
        typeText("field 目标：客服人员进入系统", &s); press("Enter", &s)
        let uc = s.flow.useCases[0]
        #expect(s.flow[uc]?.fields.last == Field("目标", "客服人员进入系统", separator: "："))
        #expect(FlowMarkdownWriter.write(s.flow).contains("\n- 目标：客服人员进入系统\n"))
        // Commands and step numbers typed fullwidth.
        typeText("：３", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 3")
        typeText("：ｕｃ　２", &s); press("Enter", &s)
        typeText("：uc ２", &s); press("Enter", &s)
        #expect(at(s) == "UC 2")
        // A condition typed with a file's exception marker is an exception.
        press(":", &s); typeText("2", &s); press("Enter", &s)
        press("x", &s); typeText("【异常】系统宕机", &s); press("Enter", &s)
        let ext = try #require(s.flow.node(numbered: "2a", in: s.flow.useCases[1]))
        #expect(s.flow[ext]?.text == "系统宕机" && s.flow[ext]?.extensionKind == .exception)
        typeText("？", &s)
        guard case .help = s.mode else { Issue.record("？ did not open the help"); return }
        // (The sample's endings are English; a document that writes them in Chinese:)
        s.flow.wording = .chinese
        press("Esc o", &s)
        #expect(Render.screen(s).text.contains("步骤，例如：客户填写收货地址"), "\(Render.screen(s).text)")
    }

    @Test func oOnAUseCaseAddsItsFirstStep() {
        var s = fresh()
        press("o", &s); typeText("first", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 1" && s.flow[s.cursor!]?.text == "first")
    }

    @Test func editInPlaceWithTheLineEditor() {
        var s = fresh()
        press("j e", &s)
        press("Ctrl-A", &s); typeText("【", &s); press("End", &s); typeText("】", &s)
        press("Backspace", &s); typeText("】", &s)
        press("Enter", &s)
        #expect(s.flow[s.cursor!]?.text == "【用户填写用户名、密码】")
        press("i Ctrl-U", &s); typeText("new", &s); press("Esc", &s)
        #expect(s.flow[s.cursor!]?.text == "【用户填写用户名、密码】")
        press("e Ctrl-W Ctrl-W", &s); press("Enter", &s)
        #expect(s.flow[s.cursor!]?.text == "【用户填写用户名、")
        press("u", &s)
        #expect(s.flow[s.cursor!]?.text == "【用户填写用户名、密码】")
    }

    @Test func extensionsEndingsAndKinds() {
        var s = fresh()
        press("j x", &s); typeText("用户名为空", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 1a")
        press("o", &s); typeText("系统提示输入用户名", &s); press("Enter", &s)
        #expect(at(s) == "UC 1 · 1a1")
        press("E Ctrl-U", &s); typeText("1", &s); press("Enter", &s)
        let ext = s.flow.node(numbered: "1a", in: s.flow.useCases[0])!
        #expect(s.flow[ext]?.ending == .resume(.step(s.flow.node(numbered: "1", in: s.flow.useCases[0])!)))
        press("E Ctrl-U", &s); typeText("failure", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .failure)
        press("E Ctrl-U", &s); typeText("7", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .failure && s.message?.kind == .error)
        press("Esc", &s)
        press("!", &s)
        #expect(s.flow[ext]?.extensionKind == .exception)
        press("g x", &s)
        #expect(s.message?.text.hasPrefix("Extensions belong to steps") == true)
        press("E", &s)
        #expect(s.message?.text.hasPrefix("Endings belong to extensions") == true)
    }

    /// An ending that traps the use case in a loop is said at once, on the status line.
    @Test func anEndingThatLoopsIsSaidAtOnce() {
        var s = fresh()
        press("j x", &s); typeText("用户名为空", &s); press("Enter", &s)
        press("o", &s); typeText("系统提示输入用户名", &s); press("Enter", &s)
        press("E", &s); typeText("1a1", &s); press("Enter", &s)
        let ext = s.flow.node(numbered: "1a", in: s.flow.useCases[0])!
        #expect(s.flow[ext]?.ending == .resume(.step(s.flow.node(numbered: "1a1", in: s.flow.useCases[0])!)))
        #expect(s.message?.kind == .error)
        #expect(s.message?.text.hasPrefix("Ending set, but from step 1a1 the use case can never end") == true, "\(s.message?.text ?? "")")
        press("E", &s); typeText("f", &s); press("Enter", &s)
        #expect(s.message?.kind != .error)
    }

    /// `E` offers the current ending selected: what is typed replaces it ("1", not "failure1");
    /// a cursor move keeps it to edit; Backspace clears it.
    @Test func theCurrentEndingIsOfferedSelected() {
        var s = fresh()
        press("j x", &s); typeText("用户名为空", &s); press("Enter", &s)
        press("o", &s); typeText("系统提示输入用户名", &s); press("Enter", &s)
        let ext = s.flow.node(numbered: "1a", in: s.flow.useCases[0])!
        press("E", &s); typeText("f", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .failure)
        press("E", &s)
        guard case .ending(let offered, _) = s.mode else { Issue.record("no ending prompt"); return }
        #expect(offered.string == "failure" && offered.selected)
        // Shown reversed on the prompt line, as selected text is.
        let screen = Render.screen(s)
        let y = screen.height - 1
        let cells = (0..<screen.width).map { screen[$0, y] }
        #expect(cells.filter { $0.style.reverse }.map(\.text).joined() == "failure")
        typeText("1", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .resume(.step(s.flow.node(numbered: "1", in: s.flow.useCases[0])!)))
        press("E Left", &s); typeText(".", &s)
        guard case .ending(let edited, _) = s.mode else { Issue.record("no ending prompt"); return }
        #expect(edited.string == ".1" && !edited.selected)
        press("Esc E Backspace", &s); typeText("s", &s); press("Enter", &s)
        #expect(s.flow[ext]?.ending == .success)
    }

    @Test func addUseCase() {
        var s = fresh()
        press("N", &s); typeText("新增客户", &s); press("Enter", &s)
        #expect(at(s) == "UC 2" && s.flow.useCases.count == 3)
    }

    @Test func deleteYankPaste() {
        var s = fresh()
        press("j j d d", &s)                    // step 2 with its extensions
        #expect(s.flow.stepCount == 7 - 3 && at(s) == "UC 1 · 2")
        #expect(s.message?.text.contains("Deleted step 2") == true)
        press("p", &s)                          // dd keeps what it cut
        #expect(at(s) == "UC 1 · 3" && s.flow.stepCount == 7)
        press("g j y y G p", &s)                // copy step 1, paste after the last step of UC 2
        #expect(at(s) == "UC 2 · 3")
        press("P", &s)
        #expect(at(s) == "UC 2 · 3" && s.flow.children(of: s.flow.useCases[1]).count == 4)
        press("g y y j p", &s)                  // a use case cannot go after a step
        #expect(s.message?.text == "A copied use case cannot go next to a step")
        press("u u u u", &s)
        #expect(s.flow == SampleFlow.flow())
    }

    @Test func aPastedExtensionResumesAtTheSamePlaceFromItsNewStep() {
        var s = fresh()
        let uc2 = s.flow.useCases[1]
        func ending(_ number: String, in uc: NodeID) -> Ending? {
            s.flow.node(numbered: number, in: uc).flatMap { s.flow[$0]?.ending }
        }
        func step(_ number: String, in uc: NodeID) -> NodeID? { s.flow.node(numbered: number, in: uc) }
        // 2a (密码错误) resumes at 1: the step before its own. Pasted under step 2 of the other
        // use case, it resumes at that use case's step 1.
        press("j j j y y G p", &s)
        #expect(at(s) == "UC 2 · 2a")
        #expect(ending("2a", in: uc2) == .resume(.step(step("1", in: uc2)!)))
        #expect(s.message?.text == "Pasted extension 2a · 2a resumes at 1, the step before its own as before")
        #expect(s.message?.kind == .info)
        // One change: undo takes back the paste and its ending together.
        press("u", &s)
        #expect(s.flow == SampleFlow.flow())
        // Under step 1 there is no step before: said, and shown as a problem to set.
        press("k p", &s)
        #expect(at(s) == "UC 2 · 1a")
        #expect(s.message?.text == "Pasted extension 1a · 1a resumed at a step of another use case: E sets its ending")
        #expect(s.message?.kind == .error)
        #expect(Render.screen(s).text.contains("→ ?"))
        press("u", &s)
        // Within its own use case its step is still there: it keeps it.
        press("g j j j y y j j j j p", &s)
        #expect(at(s) == "UC 1 · 3a")
        #expect(ending("3a", in: s.flow.useCases[0]) == .resume(.step(step("1", in: s.flow.useCases[0])!)))
        press("u", &s)
        #expect(s.flow == SampleFlow.flow())
        // A step cut with its extensions keeps them resuming at the same place too.
        press("g j j d d G k p", &s)
        #expect(at(s) == "UC 2 · 2")
        #expect(ending("2a", in: uc2) == .resume(.step(step("1", in: uc2)!)))
        #expect(ending("2b", in: uc2) == .failure)
        let written = FlowMarkdownWriter.write(s.flow)
        #expect(written.hasSuffix("1. Clerk enters a phone number\n2. 系统验证用户身份\n   - 2a. 密码错误:\n     1. 系统提示用户名或密码错误\n     - Resume at 1.\n   - 2b. [exception] 账户被锁定:\n     1. 系统提示联系管理员\n     - End: failure.\n3. System shows the customer\n"), "\(written)")
    }

    @Test func moveAmongSiblings() {
        var s = fresh()
        press("j J", &s)
        #expect(at(s) == "UC 1 · 2" && s.flow[s.cursor!]?.text == "用户填写用户名、密码")
        press("K", &s)
        #expect(at(s) == "UC 1 · 1")
        press("Shift-Down Shift-Down", &s)
        #expect(at(s) == "UC 1 · 3")
        press("Shift-Up Shift-Up", &s)
        #expect(at(s) == "UC 1 · 1")
        #expect(FlowMarkdownWriter.write(s.flow) == FlowMarkdownWriter.write(SampleFlow.flow()))
        press("K", &s)
        #expect(s.message?.text == "Already the first here")
    }

    @Test func aTreeKeyPressedWhileTypingIsSaid() {
        var s = fresh()
        press("j e", &s); typeText("x", &s)
        #expect(press("Ctrl-Z", &s).isEmpty)
        guard case .editing(let session) = s.mode else { Issue.record("the edit ended"); return }
        #expect(session.editor.string.hasSuffix("x") && s.message?.text == "Ctrl-Z works outside the label: Enter keeps it, Esc drops it, then Ctrl-Z")
        // Ctrl-S keeps the label, as Enter does, and saves it with the rest.
        let effects = press("Ctrl-S", &s)
        guard case .normal = s.mode else { Issue.record("still editing after Ctrl-S"); return }
        let saved = effects.compactMap { effect -> Flow? in
            if case .run(.save(let request)) = effect { return request.flow } else { return nil }
        }
        #expect(saved.count == 1 && saved.first?[s.cursor!]?.text.hasSuffix("x") == true && s.isModified, "\(effects)")
        // A new row typed and saved at once is added and saved in one go.
        press("o", &s); typeText("系统记录日志", &s)
        let added = press("Ctrl-S", &s).compactMap { effect -> Flow? in
            if case .run(.save(let request)) = effect { return request.flow } else { return nil }
        }
        #expect(added.first.map { $0[s.cursor!]?.text } == "系统记录日志")
    }

    @Test func theDetailPaneSpeaksTheFlowsLanguage() {
        var s = fresh()
        s.flow = try! FlowMarkdownReader.read("# 报销\n\n## 提交报销单\n\n1. 员工填写报销单。\n2. 系统校验发票。\n").flow
        s.cursor = s.flow.useCases.first
        _ = App.update(&s, .resized(width: 120, height: 30))
        s.showDetail = true
        let text = Render.screen(s).text
        #expect(text.contains("│ 用例 1：提交报销单") && !text.contains("Use case 1"), "\(text)")
    }

    @Test func aFoldedStepSaysWhatItHides() {
        var s = fresh()
        press("G x", &s); typeText("没有权限", &s); press("Enter", &s)   // an extension with no steps yet
        s.cursor = s.cursor.flatMap { s.flow[$0]?.parent }            // its step
        _ = App.update(&s, .key(.char(" ")))                          // folded
        #expect(Render.screen(s).text.contains("(+1 extension)"), "\(Render.screen(s).text)")
        #expect(!Render.screen(s).text.contains("+0 steps"))
    }

    @Test func tabAndShiftTab() {
        var s = fresh()
        press("G Tab", &s)                      // UC 2 step 2 becomes 1a1 of a new extension, whose condition is asked for
        #expect(at(s) == "UC 2 · 1a")
        press("Esc", &s)                        // no condition: the step stays where it was, no empty extension
        #expect(at(s) == "UC 2 · 2" && s.flow == SampleFlow.flow() && s.message?.text.hasPrefix("Not indented") == true)
        press("Tab Enter", &s)                  // an empty Enter is the same
        #expect(at(s) == "UC 2 · 2" && s.flow == SampleFlow.flow())
        press("Tab", &s); typeText("没有权限", &s); press("Enter j", &s)
        #expect(at(s) == "UC 2 · 1a1" && s.flow[s.flow.node(numbered: "1a", in: s.flow.useCases[1])!]?.text == "没有权限")
        press("u", &s)                          // the indent and its condition are one change
        #expect(s.flow == SampleFlow.flow())
        press("Ctrl-R", &s)                     // and come back as one, the condition with it
        #expect(s.flow[s.flow.node(numbered: "1a", in: s.flow.useCases[1])!]?.text == "没有权限")
        press("u", &s)
        #expect(s.flow == SampleFlow.flow())
        press("G Tab", &s); typeText("x", &s); press("Enter", &s)
        press("j Shift-Tab", &s)                // and back, the extension goes too when it has nothing else
        #expect(at(s) == "UC 2 · 2")
        press("u u", &s)
        #expect(FlowMarkdownWriter.write(s.flow) == FlowMarkdownWriter.write(SampleFlow.flow()))
        press(":", &s); typeText("3", &s); press("Enter", &s)       // UC 2 has no step 3: stays
        #expect(s.message?.text == "No step 3 in use case 2" && at(s) == "UC 2 · 2")
        press(":", &s); typeText("1 3", &s); press("Enter Tab", &s) // step 3 joins 2b, the last extension of step 2
        #expect(at(s) == "UC 1 · 2b2")
        press("g Tab", &s)
        #expect(s.message?.kind == .error)
    }
}

@Suite struct SearchTests {
    @Test func matchingIgnoresCaseInEveryScript() {
        for (text, query, found) in [("Clerk notes the call", "CLERK", true), ("Clerk notes the call", "notes THE", true),
                                     ("客服人员填写用户名", "用户名", true), ("École signs in", "éCOLE", true), ("ÉCOLE", "école", true),
                                     ("Clerk", "clerks", false), ("abc", "", true), ("Straße", "STRASSE", false),
                                     ("Kunde zahlt mit KARTE", "karte", true), ("客服", "客户", false)] {
            #expect(Search.matches(text, query) == found, "\(text) / \(query)")
        }
    }

    @Test func theCountFollowsEditsOfTheFlow() {
        var s = fresh()
        press("/", &s); typeText("系统提示", &s); press("Enter", &s)
        guard let before = s.searchPosition?.total else { Issue.record("no count"); return }
        press("o", &s); typeText("系统提示保存成功", &s); press("Enter n", &s)
        #expect(s.searchPosition?.total == before + 1)
        press("u n", &s)
        #expect(s.searchPosition?.total == before)
    }

    @Test func incrementalSearchNextAndPrevious() {
        var s = fresh()
        press("z M /", &s)
        typeText("系统", &s)
        #expect(at(s) == "UC 1 · 2")             // first match after the cursor, unfolded
        press("Enter", &s)
        press("n", &s); #expect(at(s) == "UC 1 · 2a1")
        press("n", &s); #expect(at(s) == "UC 1 · 2b1")
        press("N", &s); #expect(at(s) == "UC 1 · 2a1")   // N is previous while a search shows
        press("Esc N", &s)                      // after Esc, N adds a use case again
        #expect(s.mode != .normal)
        press("Esc", &s)
        press("/", &s); typeText("PHONE", &s); press("Enter", &s)
        #expect(at(s) == "UC 2 · 1")            // ignoring case
        press("/", &s); typeText("不存在", &s)
        #expect(s.message?.text == "Not found: 不存在")
        press("Esc", &s)
        #expect(at(s) == "UC 2 · 1")            // Esc goes back to where the search started
    }

    @Test func theStatusBarSaysWhichMatchAndSearchGoesRound() {
        var s = fresh()
        press("/", &s); typeText("系统", &s); press("Enter", &s)
        // 系统 is in 系统登录 (the use case), steps 2, 3 and the steps of 2a and 2b: 5 in all.
        #expect(s.searchPosition.map { "\($0.index)/\($0.total)" } == "2/5")
        #expect(Render.screen(s).text.contains("/系统 2/5 n N"))
        press("n n n", &s)
        #expect(s.searchPosition.map { "\($0.index)/\($0.total)" } == "5/5")
        press("n", &s)
        #expect(at(s) == "UC 1" && s.message?.text == "Search went past the end: back to match 1 of 5")
        #expect(Render.screen(s).text.contains("/系统 1/5"))
        press("N", &s)
        #expect(s.message?.text == "Search went past the start: back to match 5 of 5")
        press("j", &s)   // moved off the match: no position is claimed
        #expect(!Render.screen(s).text.contains("5/5"))
    }
}

@Suite struct FileAndViewTests {
    @Test func saveQuitAndConfirm() {
        var s = fresh()
        #expect(press("q", &s) == [.quit])
        press("j o", &s); typeText("x", &s); press("Enter", &s)
        #expect(press("q", &s).isEmpty && s.mode == .confirmQuit)
        // The question is said whole at any width, shorter where the bar is narrow.
        for width in [100, 60, 50, 30] {
            var narrow = s
            narrow.width = width
            let bar = String(Render.screen(narrow).text.split(separator: "\n", omittingEmptySubsequences: false)[narrow.height - 1])
            #expect(!bar.contains("…") && bar.contains("y") && bar.contains("stay"), "width \(width): \(bar)")
        }
        press("Esc", &s)
        #expect(s.mode == .normal)
        let effects = press("Ctrl-S", &s)
        guard case .save(let r)? = effects.firstJob else { Issue.record("no save"); return }
        #expect(r.path == "crm.flow.md" && FlowMarkdownWriter.write(r.flow).contains("2. x\n"))
        _ = App.update(&s, .saved(Saved(path: r.path, revision: r.revision, stamp: nil)))
        #expect(!s.isModified && s.message?.text == "Saved crm.flow.md")
        #expect(press("q", &s) == [.quit])
    }

    @Test func saveAndQuitWaitsForTheSave() {
        var s = fresh()
        press("j o", &s); typeText("x", &s); press("Enter q", &s)
        let effects = press("y", &s)
        guard case .save(let r)? = effects.firstJob else { Issue.record("no save"); return }
        #expect(App.update(&s, .saveFailed("disk full")) == [])
        #expect(s.message?.text == "Not saved: disk full")
        press("q y", &s)
        #expect(App.update(&s, .saved(Saved(path: r.path, revision: r.revision, stamp: nil))) == [.quit])
    }

    @Test func colonCommands() {
        var s = fresh()
        press(":", &s); typeText("w other.flow.md", &s)
        guard case .save(let r)? = press("Enter", &s).firstJob else { Issue.record("no save"); return }
        // :w NAME writes a copy: it must not replace an existing file, and the editor stays on its own file.
        #expect(r.path == "other.flow.md" && r.expected == nil && !r.force && s.path == "crm.flow.md")
        _ = App.update(&s, .saved(Saved(path: "other.flow.md", revision: 0, stamp: nil)))
        #expect(s.message?.text == "Wrote a copy to other.flow.md; still editing crm.flow.md" && s.path == "crm.flow.md")
        press(":", &s); typeText("w! other.flow.md", &s)
        guard case .save(let forced)? = press("Enter", &s).firstJob, forced.force else { Issue.record("w! does not force"); return }
        press(":", &s); typeText("export DOT out.dot", &s)
        guard case .export(let e)? = press("Enter", &s).firstJob else { Issue.record("no export"); return }
        #expect(e.path == "out.dot" && e.format == .dot && e.flow == s.flow && !e.replace && e.document == "crm.flow.md")
        press(":", &s); typeText("export! text my out.txt", &s)
        guard case .export(let forced)? = press("Enter", &s).firstJob else { Issue.record("no export!"); return }
        #expect(forced.path == "my out.txt" && forced.format == .text && forced.replace)
        press(":", &s); typeText("q", &s)
        #expect(press("Enter", &s) == [.quit])
        press("j o", &s); typeText("x", &s); press("Enter", &s)
        press(":", &s); typeText("q", &s); press("Enter", &s)
        #expect(s.message?.text == "Unsaved changes: :w saves, :q! quits without saving")
        press(":", &s); typeText("e b.flow.md", &s); press("Enter", &s)
        #expect(s.message?.kind == .error)
        press(":", &s); typeText("e! b.flow.md", &s)
        #expect(press("Enter", &s).withoutRecovery == [.run(.open(path: "b.flow.md", leaving: "crm.flow.md"))])
        let b = (try? FlowMarkdownReader.read("## B\n\n1. one\n").flow) ?? Flow()
        _ = App.update(&s, .opened(Opened(path: "b.flow.md", flow: b, isNew: false, stamp: nil)))
        #expect(s.flow.useCases.count == 1 && !s.isModified && s.path == "b.flow.md")
        #expect(s.message?.text == "Opened b.flow.md: 1 use case, 1 step")
        _ = App.update(&s, .openFailed("c.flow.md was not opened: c.flow.md:1:1: expected …"))
        #expect(s.message?.text.hasPrefix("c.flow.md was not opened") == true && s.path == "b.flow.md")
        press(":", &s); typeText("q!", &s)
        #expect(press("Enter", &s) == [.quit])
    }

    /// `:field` changes a field's value and keeps the separator its file wrote (主要参与者：…);
    /// a new field keeps the colon it was typed with.
    @Test func settingAFieldKeepsItsSeparator() throws {
        let flow = try FlowMarkdownReader.read("## 系统登录\n\n- 主要参与者：客服人员\n\n1. 用户登录\n").flow
        var s = AppState(flow: flow, path: "crm.flow.md")
        press(":", &s); typeText("field 主要参与者: 客户", &s); press("Enter", &s)
        press(":", &s); typeText("field 目标：客户进入系统", &s); press("Enter", &s)
        #expect(FlowMarkdownWriter.write(s.flow) == "## 系统登录\n\n- 主要参与者：客户\n- 目标：客户进入系统\n\n1. 用户登录\n")
        press("u u", &s)
        #expect(s.flow == flow)
    }

    @Test func fieldsAndTitle() {
        var s = fresh()
        press("j :", &s); typeText("field goal: 客服人员进入系统", &s); press("Enter", &s)
        #expect(s.flow[s.flow.useCases[0]]?.fields == [Field("Primary actor", "客服人员"), Field("Goal", "客服人员进入系统")])
        press(":", &s); typeText("field Primary actor:", &s); press("Enter", &s)
        #expect(s.flow[s.flow.useCases[0]]?.fields == [Field("Goal", "客服人员进入系统")])
        press(":", &s); typeText("title CRM 2", &s); press("Enter", &s)
        #expect(s.flow.title == "CRM 2")
        // Without text, :title says the title and changes nothing; :title! removes it.
        press(":", &s); typeText("title", &s); press("Enter", &s)
        #expect(s.flow.title == "CRM 2" && s.message?.text == "Title: CRM 2 (:title TEXT changes it, :title! removes it)")
        press(":", &s); typeText("title!", &s); press("Enter", &s)
        #expect(s.flow.title == "" && s.message?.text == "The flow has no title now (u undoes it)")
        press("u", &s)
        #expect(s.flow.title == "CRM 2")
        press("u u u", &s)
        #expect(s.flow == SampleFlow.flow())
        press(":", &s); typeText("field nothing", &s); press("Enter", &s)
        #expect(s.message?.kind == .error)
    }

    @Test func wordDeletionStopsAtChinesePunctuation() {
        var e = LineEditor("用户名、密码")
        _ = e.handle(.ctrl("w"), .defaults); #expect(e.string == "用户名、")
        _ = e.handle(.ctrl("w"), .defaults); #expect(e.string == "用户名")
        _ = e.handle(.ctrl("w"), .defaults); #expect(e.string == "")
        var f = LineEditor("enter the PIN ")
        _ = f.handle(.ctrl("w"), .defaults); #expect(f.string == "enter the ")
    }

    @Test func viewKeys() {
        var s = fresh()
        press("?", &s); #expect(s.mode == .help(scroll: 0))
        press("j j", &s); #expect(s.mode == .help(scroll: 2))
        press("Esc", &s); #expect(s.mode == .normal)
        press("F1 q", &s); #expect(s.mode == .normal)
        press("v", &s); #expect(s.showDetail)
        press("t", &s); #expect(s.preview == .mermaid)
        press("t t t", &s); #expect(s.preview == .text)
        press("v", &s); #expect(!s.showDetail)
        #expect(press("Ctrl-Z", &s) == [.suspend])
        #expect(press("Ctrl-L", &s) == [.redraw])
    }

    @Test func unknownKeysSaySo() {
        var s = fresh()
        press("Q", &s)
        #expect(s.message?.text == "Q does nothing here; ? lists the keys")
        press("d j", &s)                        // an unfinished dd is dropped and j still moves
        #expect(at(s) == "UC 1 · 1")
    }

    @Test func mouseClicksAndWheel() {
        var s = fresh()
        _ = App.update(&s, .clicked(x: 5, y: 3))
        #expect(at(s) == "UC 1 · 2a")
        var big = AppState(flow: RandomFlow.large(steps: 300), path: nil, width: 80, height: 10)
        _ = App.update(&big, .scrolled(lines: 3))
        #expect(big.top != big.rows.first && big.rows.window(from: big.top!, count: 9).contains(big.cursor!))
    }

    @Test func tooSmallScreenIgnoresKeysThatChangeTheFlow() {
        var s = fresh()
        _ = App.update(&s, .resized(width: 10, height: 3))
        press("j d d", &s)
        #expect(s.flow == SampleFlow.flow() && at(s) == "UC 1")
        #expect(press("q", &s) == [.quit])
    }

    @Test func helpClosesAndAnyOtherKeyStillWorks() {
        var s = fresh()
        press("? j", &s)
        #expect(s.mode == .help(scroll: 1))
        press(":", &s)
        #expect(s.mode == .command(LineEditor()))
    }

    @Test func pasteGoesIntoTheLabel() {
        var s = fresh()
        press("j e Ctrl-U", &s)
        _ = App.update(&s, .paste("系统\n登录\u{1B}[31m"))
        press("Enter", &s)
        #expect(s.flow[s.cursor!]?.text == "系统 登录 [31m")
    }
}

@Suite struct BindingTableTests {
    @Test func everyActionHasKeysOrIsDocumented() {
        for b in Bindings.defaults.table where b.action != .searchPrevious {
            #expect(!b.keys.isEmpty, "\(b.action) has no keys")
        }
        #expect(Set(Bindings.defaults.table.map(\.action)) == Set(Action.allCases))
    }

    @Test func noTwoActionsShareAKeyInTheTree() {
        var seen: [[Key]: Action] = [:]
        for b in Bindings.defaults.table where b.context == .tree {
            for k in b.keys {
                #expect(seen[k] == nil, "\(Bindings.name(k)) is bound to \(seen[k].map { "\($0)" } ?? "") and \(b.action)")
                seen[k] = b.action
            }
        }
    }

    @Test func textBindingsAreWhatTheLineEditorDoes() {
        for b in Bindings.defaults.table where b.context == .text {
            for keys in b.keys {
                var e = LineEditor("ab cd")
                if [.textEnd, .textDelete, .textKillToEnd, .textRight].contains(b.action) { _ = e.handle(.home, .defaults) }
                #expect(e.handle(keys[0], .defaults) != .ignored, "\(Bindings.name(keys)) does nothing in the editor")
            }
        }
    }

    @Test func keysDocIsGeneratedFromTheTable() throws {
        let doc = try Fixtures.text(Fixtures.root.appendingPathComponent("docs/keys.md"))
        #expect(doc == Bindings.defaults.markdown(), "docs/keys.md is stale: run `.build/debug/flowsmith keys > docs/keys.md`")
    }

    @Test func lookalikeKeyNamesAreRefused() {
        for name in ["F13", "f13", "Ctrl-AB", "Enterr", "Shift-X", "SPACEBAR", "Ctrl-1", "Ctrl-["] {
            do {
                _ = try Config.parse("[keys]\ndelete = \(name)\n")
                Issue.record("\(name) was taken")
            } catch {
                #expect(error.line == 2 && error.message.hasPrefix("unknown key \"\(name)\": a key is a character, Ctrl-A … Ctrl-Z"), "\(error)")
            }
        }
        // Names in any letter case; what a terminal sends as another key is said to be it.
        let anyCase = try? Config.parse("[keys]\nquit = ctrl-q\nundo = alt-u\nhelp = f2\ntoggle-fold = SPACE\nredraw = PGDN\npage-down = Ctrl-D\n")
        #expect(anyCase?.keys[.quit] == [[.ctrl("q")]] && anyCase?.keys[.undo] == [[.alt("u")]] && anyCase?.keys[.help] == [[.function(2)]])
        #expect(anyCase?.keys[.toggleFold] == [[.char(" ")]] && anyCase?.keys[.redraw] == [[.pageDown]])
        #expect(throws: Config.Failure(line: 2, message: "Ctrl-I is Tab to a terminal: bind Tab instead")) { try Config.parse("[keys]\nundo = Ctrl-I\n") }
        // Runs of characters and spaced sequences still read.
        #expect(Bindings.parse("dd") == [.char("d"), .char("d")])
        #expect(Bindings.parse("zM") == [.char("z"), .char("M")])
        #expect(Bindings.parse("g Ctrl-R") == [.char("g"), .ctrl("r")])
        #expect(Bindings.parse("F12") == [.function(12)])
    }

    @Test func configAndThemeFilesWithWindowsLineEnds() throws {
        let config = try Config.parse("theme = light\r\n[keys]\r\ndelete = Delete\r\n")
        #expect(config.theme == "light" && config.bindings().action(for: [.delete]) == .delete)
        #expect(throws: Config.Failure(line: 2, message: "expected NAME = VALUE")) { try Config.parse("theme = light\r\nnonsense\r\n") }
    }

    @Test func aSettingsValueIsCheckedWhenTheFileIsRead() throws {
        let good = try Config.parse("engine = Ollama\nfallback = none\nauto-suggest = off\nsuggestions = 5\nbase-url = http://localhost:8080/v1\nmodel = m\n")
        #expect(good.settings["engine"] == "Ollama" && good.settings["suggestions"] == "5")
        for (line, expected) in [
            ("engine = llama", "engine = llama: expected local, openai, ollama, llamacpp, vllm"),
            ("fallback = nope", "fallback = nope: expected local or none"),
            ("auto-suggest = maybe", "auto-suggest = maybe: expected on or off"),
            ("suggestions = lots", "suggestions = lots: expected a number from 1 to 9"),
            ("suggestions = 0", "suggestions = 0: expected a number from 1 to 9"),
            ("base-url = not a url", "base-url = not a url: expected an address starting with http:// or https://"),
        ] {
            #expect(throws: Config.Failure(line: 2, message: expected)) { try Config.parse("theme = light\n" + line + "\n") }
        }
    }

    @Test func configRemapsKeys() throws {
        let config = try Config.parse("theme = light\n[keys]\ndelete = Delete, X X\nmove-down = Ctrl-N\n")
        #expect(config.theme == "light")
        let b = config.bindings()
        #expect(b.action(for: [.delete]) == .delete)
        #expect(b.action(for: [.char("X"), .char("X")]) == .delete)
        #expect(b.action(for: [.ctrl("n")]) == .moveDown)
        #expect(b.action(for: [.char("j")]) == nil)
        #expect(throws: Config.Failure(line: 2, message: "unknown action \"explode\"; flowsmith keys lists them")) {
            try Config.parse("[keys]\nexplode = x\n")
        }
        // One reading names every mistake, in line order; an unknown section's lines are not
        // each a mistake of their own.
        do {
            _ = try Config.parse("engine = llama\n[weird]\nx = 1\n[keys]\nexplode = x\nmove-down = Ctrl-N\nfold-all = Nope\n")
            Issue.record("a config with mistakes was taken")
        } catch {
            #expect(error.all.map(\.line) == [1, 2, 5, 7], "\(error.all)")
        }
        // A key another action has, or one that starts another's sequence, could never be
        // reached: said at the line that binds it. Moving the other action's key too is fine.
        #expect(throws: Config.Failure(line: 2, message: "save: j is also move-down's key (give move-down other keys too, or choose another)")) {
            try Config.parse("[keys]\nsave = j\n")
        }
        #expect(throws: Config.Failure(line: 3, message: "save: d and delete's dd start alike, so one of them is never reached (give delete other keys too, or choose another)")) {
            try Config.parse("theme = light\n[keys]\nsave = d\n")
        }
        #expect(try Config.parse("[keys]\nsave = j\nmove-down = Down\n").bindings().action(for: [.char("j")]) == .save)
        // A comment after a setting's value.
        #expect(try Config.parse("theme = light   # for the day\n").theme == "light")
    }
}

import Foundation

@Suite struct HelpOverlayTests {
    @Test func helpScrollsWithPageKeysAndNeverCutsALine() {
        for (w, h) in [(40, 12), (80, 24), (100, 30)] {
            var s = fresh()
            _ = App.update(&s, .resized(width: w, height: h))
            press("?", &s)
            var seen = Set<String>()
            for _ in 0..<40 {
                let screen = Render.screen(s).text
                // Nothing is cut short (the help's own text has "1 … 9").
                let own = screen.replacingOccurrences(of: "1 … 9", with: "")
                #expect(!own.contains("…"), "\(w)×\(h):\n\(screen)")
                seen.formUnion(screen.split(separator: "\n").map(String.init))
                press("Ctrl-D", &s)
                guard case .help = s.mode else { Issue.record("Ctrl-D closed the help at \(w)×\(h)"); break }
            }
            #expect(seen.contains { $0.contains(":help") && $0.contains("this help") }, "the help does not reach its end at \(w)×\(h)")
            guard case .help(let scroll) = s.mode else { continue }
            #expect(scroll == Render.helpMaxScroll(s))
            press("k", &s)
            guard case .help(let after) = s.mode else { continue }
            #expect(after == scroll - 1)   // one k moves at once, however often Ctrl-D was pressed at the end
            press("g", &s)
            #expect(s.mode == .help(scroll: 0))
            press("Esc", &s)
            #expect(s.mode == .normal)
        }
    }
}

@Suite struct NewFlowTests {
    @Test func aNewFileAsksItsTitleThenItsFirstUseCase() {
        var s = AppState(flow: Flow(), path: "onboarding.flow.md")
        s.startNewFlow()
        #expect(Render.screen(s).text.contains("Flow title:"))
        typeText("Onboarding", &s)
        press("Enter", &s)
        #expect(s.flow.title == "Onboarding")
        guard case .editing = s.mode else { Issue.record("not naming the first use case"); return }
        #expect(Render.screen(s).text.contains("EDIT · use case title"))
        typeText("Onboard a new employee", &s)
        press("Enter", &s)
        #expect(s.flow.useCases.count == 1 && s.flow[s.flow.useCases[0]]?.text == "Onboard a new employee")
        // The hint for typing the title is gone; the next one says what comes after it.
        #expect(s.message?.text == "o adds the first step; s drafts a main scenario from the title; :field Primary actor: … names who acts")
        // Keys typed next are commands again, not text of the title.
        press("o", &s)
        #expect(Render.screen(s).text.contains("EDIT · step 1"))

        var t = AppState(flow: Flow(), path: "x.flow.md")
        t.startNewFlow()
        press("Esc", &t)
        #expect(t.mode == .normal && t.flow.title.isEmpty && t.message?.text == "N adds a use case, ? lists the keys")
    }
}
