import FlowCore
@testable import FlowDesigner
import FlowFormats
import FlowSuggest
import FlowTerminal
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct SuggestionUpdateTests {
    func asked(_ keys: String, _ s: inout AppState) -> Int {
        guard let (id, _) = press(keys, &s).suggestRequest else { Issue.record("no request"); return -1 }
        return id
    }

    @Test func autoSuggestAfterANewStepIsDebounced() {
        var s = fresh()
        press("j o", &s); typeText("x", &s)
        #expect(press("Enter", &s).isEmpty)
        s.autoSuggest = true
        press("o", &s); typeText("y", &s)
        let effects = press("Enter", &s)
        // Automatic requests wait for a timer; a key pressed meanwhile dismisses them unsent.
        guard case .startTimer(.autoSuggest(let id), let delay)? = effects.first(where: { if case .startTimer(.autoSuggest, _) = $0 { true } else { false } }),
              case .suggest(_, let ctx, _)? = s.delayedRequest else { Issue.record("no delayed request"); return }
        #expect(delay == .milliseconds(400) && ctx.stepsSoFar.last == "y")
        #expect(App.update(&s, .timerFired(.autoSuggest(id: id))).suggestRequest?.0 == id)
        // Editing an existing label does not ask.
        press("Esc e", &s)
        #expect(press("Enter", &s).isEmpty)
    }

    @Test func askShowAcceptAsOneUndoStep() {
        var s = fresh()
        let id = asked("j j s", &s)
        #expect(s.suggestions?.loading == true && s.suggestions?.point.index == 2)
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统记录登录日志", "系统显示主页"], done: true))
        press("Ctrl-N", &s)
        #expect(s.suggestions?.index == 1)
        press("Ctrl-P Ctrl-P", &s)
        #expect(s.suggestions?.index == 1)
        press("Tab", &s)
        #expect(s.suggestions == nil && at(s) == "UC 1 · 3" && s.flow[s.cursor!]?.text == "系统显示主页")
        press("u", &s)
        #expect(s.flow == SampleFlow.flow())
    }

    @Test func anAcceptingKeyNeverFallsThroughToItsEditingAction() {
        var s = fresh()
        // Tab before anything arrived waits: the step is not indented, the request stays.
        let id = asked("j j s", &s)
        let before = s.flow
        #expect(press("Tab", &s).isEmpty)
        #expect(s.flow == before && s.suggestions?.id == id && s.message?.text.contains("on their way") == true)
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统显示主页"], done: true))
        press("Tab", &s)
        let accepted = s.flow
        #expect(s.flow[s.cursor!]?.text == "系统显示主页")
        // Tab once too many: said, not done (it would indent the new step into an empty extension).
        press("Tab", &s)
        #expect(s.flow == accepted && s.message?.text.contains("Nothing more to accept") == true)
        // Pressed again, Tab does what it does.
        press("Tab", &s)
        #expect(s.flow != accepted && s.flow[s.flow[s.cursor!]!.parent!]?.kind == .extension)
        // Any other key in between ends the guard.
        press("u", &s)
        let id2 = asked("s", &s)
        _ = App.update(&s, .suggestionsArrived(id: id2, candidates: ["系统记录日志"], done: true))
        press("Tab k j", &s)
        let moved = s.flow
        press("Tab", &s)
        #expect(s.flow != moved)
    }

    @Test func staleOrLateResultsAreDropped() {
        var s = fresh()
        let first = asked("j s", &s)
        let second = asked("s", &s)                       // a new request replaces the old one
        _ = App.update(&s, .suggestionsArrived(id: first, candidates: ["old"], done: true))
        #expect(s.suggestions?.candidates.isEmpty == true)
        // An edit in between: the base changed, so the answer is dropped, never inserted.
        press("Esc", &s)
        let third = asked("s", &s)
        #expect(third == second + 1)
        var t = s
        t.history = s.history
        press("j", &t)                                   // moving away dismisses and cancels
        #expect(t.suggestions == nil)
        let effects = App.update(&s, .key(.char("x")))   // any other key dismisses too, then acts
        #expect(effects.first == .cancel(jobID: third))
        press("Esc", &s)
    }

    @Test func changedFlowDropsTheAnswer() {
        var s = fresh()
        let id = asked("j s", &s)
        // Something changes the flow without a key reaching the suggestion (e.g. a reload).
        _ = try? s.history.perform(Transaction("x", [.setTitle("changed")]), on: &s.flow)
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["new step"], done: true))
        #expect(s.suggestions == nil)
    }

    @Test func conditionsBecomeExtensionsAndDraftsWholeScenarios() {
        var s = fresh()
        let id = asked("j S", &s)
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["用户名为空"], done: true))
        press("Right", &s)
        #expect(at(s) == "UC 1 · 1a" && s.flow[s.cursor!]?.extensionKind == .alternative)
        // A on a condition goes on to ask for the extension's first step.
        press("u", &s)
        let again = asked("S", &s)
        _ = App.update(&s, .suggestionsArrived(id: again, candidates: ["用户名为空"], done: true))
        guard let (_, inside) = press("A", &s).suggestRequest else { Issue.record("no chained request"); return }
        #expect(at(s) == "UC 1 · 1a" && inside.condition == "用户名为空" && inside.stepsSoFar.isEmpty)
        press("Esc", &s)
        press("N", &s); typeText("新增客户", &s); press("Enter", &s)
        let d = asked("s", &s)
        _ = App.update(&s, .suggestionsArrived(id: d, candidates: ["客服人员填写客户信息\n系统校验手机号\n系统保存客户"], done: true))
        press("Tab", &s)
        #expect(s.flow.children(of: s.flow.useCases[1]).count == 3 && at(s) == "UC 2 · 1")
        press("u", &s)
        #expect(s.flow.children(of: s.flow.useCases[1]).isEmpty)
    }

    @Test func acceptAndContinueAsksAgain() {
        var s = fresh()
        let id = asked("G s", &s)
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["System prints the record"], done: true))
        let effects = press("A", &s)
        #expect(at(s) == "UC 2 · 3")
        guard let (_, ctx) = effects.suggestRequest else { Issue.record("no new request"); return }
        #expect(ctx.stepsSoFar.last == "System prints the record")
    }

    /// The sample flow with its extensions' ending lines left out: both resume at the next step.
    func unended() throws -> AppState {
        let text = SampleFlow.text.replacingOccurrences(of: "     - Resume at 1.\n", with: "")
            .replacingOccurrences(of: "     - End: failure.\n", with: "")
        let flow = try FlowMarkdownReader.read(text).flow
        #expect(flow.nodes.values.allSatisfy { $0.ending == .resumeNext })
        return AppState(flow: flow, path: "crm.flow.md")
    }

    /// At the end of an extension its endings are candidates too; accepting one sets the
    /// extension's ending as one undo step, and `A` after a step there offers them.
    @Test func theEndOfAnExtensionOffersItsEndings() throws {
        var s = try unended()
        let id = asked("j j j j s", &s)
        #expect(at(s) == "UC 1 · 2a1")
        let ext = try #require(s.flow[s.cursor!]?.parent)
        let before = s.flow[ext]?.ending
        // (Step 1 too: trying again often starts where what was wrong is given again, as here.)
        #expect(s.suggestions?.endings.map(\.text) == ["Resume at 3.", "Resume at 2.", "Resume at 1.", "End: failure.", "End: success."])
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统清空密码框", "End: failure.", "Resume at 2."], done: true))
        press("Ctrl-N", &s)
        #expect(Render.screen(s).text.contains("- End: failure."))
        press("Tab", &s)
        #expect(s.flow[ext]?.ending == .failure && at(s) == "UC 1 · 2a1")
        press("u", &s)
        #expect(s.flow[ext]?.ending == before)
        // A step accepted with A at the end of the extension: the next request offers the endings.
        let again = asked("s", &s)
        _ = App.update(&s, .suggestionsArrived(id: again, candidates: ["系统清空密码框"], done: true))
        guard let (_, ctx) = press("A", &s).suggestRequest else { Issue.record("no new request"); return }
        #expect(ctx.stepsSoFar.last == "系统清空密码框" && ctx.endings.count == 5)
        // An exception's failure comes first.
        var t = try unended()
        _ = asked("j j j j j j s", &t)
        #expect(at(t) == "UC 1 · 2b1" && t.suggestions?.endings.first?.text == "End: failure.")
        // In a document that writes its endings in Chinese, they are offered in Chinese, and
        // the one accepted is written so.
        var zh = try unended()
        zh.flow.wording = .chinese
        let asking = asked("j j j j s", &zh)
        #expect(zh.suggestions?.endings.map(\.text) == ["回到第3步。", "回到第2步。", "回到第1步。", "结束：失败。", "结束：成功。"])
        _ = App.update(&zh, .suggestionsArrived(id: asking, candidates: ["系统清空密码框", "结束：失败。"], done: true))
        press("Ctrl-N", &zh)
        #expect(Render.screen(zh).text.contains("- 结束：失败。"), "\(Render.screen(zh).text)")
        press("Tab", &zh)
        #expect(FlowMarkdownWriter.write(zh.flow).contains("     - 结束：失败。\n") && Render.screen(zh).text.contains("✗ 失败"))
    }

    /// An extension that already ends ("Resume at 1.", "End: failure.") is offered no other
    /// ending at its last step or on its own row, with `s` or after `A`; steps still are.
    @Test func anExtensionWithAnEndingIsOfferedNoOther() throws {
        var s = fresh()
        for keys in ["j j j j s", "k s", "j j j s", "k s"] {
            guard let (id, ctx) = press(keys, &s).suggestRequest else { Issue.record("no request at \(at(s))"); return }
            #expect(["UC 1 · 2a1", "UC 1 · 2a", "UC 1 · 2b1", "UC 1 · 2b"].contains(at(s)))
            #expect(ctx.kind == .nextStep && ctx.endings.isEmpty && s.suggestions?.endings.isEmpty == true, "at \(at(s))")
            _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统记录日志"], done: true))
            #expect(s.suggestions?.shownEnding == nil && Render.screen(s).text.contains("系统记录日志"))
            press("Esc", &s)
        }
        let id = asked("j s", &s)
        #expect(at(s) == "UC 1 · 2b1")
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统记录日志"], done: true))
        guard let (_, ctx) = press("A", &s).suggestRequest else { Issue.record("no request after A"); return }
        #expect(at(s) == "UC 1 · 2b2" && ctx.endings.isEmpty)
    }

    /// A ghost step in the middle of a scenario renumbers the rows after it, and the endings
    /// that point at them read the same numbers (the file keeps the real ones).
    @Test func endingsFollowTheNumbersShownPastAGhostStep() throws {
        let text = """
            ## Pay

            1. Customer enters the card
            2. System charges the card
               - 2a. The card is declined:
                 1. Customer enters another card
                 - Resume at 2.
            3. System prints a receipt

            """
        var s = AppState(flow: try FlowMarkdownReader.read(text).flow, path: "pay.flow.md", width: 80, height: 16)
        let id = asked("j s", &s)
        #expect(at(s) == "UC 1 · 1")
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["System checks the card"], done: true))
        let screen = Render.screen(s).text
        #expect(screen.contains("2. System checks the card") && screen.contains("3. System charges the card"), "\(screen)")
        #expect(screen.contains("3a. The card is declined  → 3"), "\(screen)")
        #expect(FlowMarkdownWriter.write(s.flow).contains("Resume at 2."))
    }

    /// On a use case's own row, `s` continues its main scenario after the last step.
    @Test func aUseCaseRowContinuesItsScenario() throws {
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: 80, height: 24)
        press("G k k", &s)
        #expect(at(s) == "UC 2")
        guard let (id, ctx) = press("s", &s).suggestRequest else { Issue.record("no request"); return }
        #expect(ctx.kind == .nextStep && ctx.stepsSoFar == ["Clerk enters a phone number", "System shows the customer"])
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["Clerk updates the address"], done: true))
        let screen = Render.screen(s).text.split(separator: "\n").map(String.init)
        let shown = try #require(screen.firstIndex { $0.contains("System shows the customer") })
        #expect(screen[shown + 1].contains("3. Clerk updates the address"))
        press("Tab", &s)
        #expect(at(s) == "UC 2 · 3" && s.flow[s.cursor!]?.text == "Clerk updates the address")
    }

    /// Undoing steps added at the end leaves no blank rows under the last one.
    @Test func undoAtTheEndRefillsThePane() {
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: 80, height: 8)
        press("G", &s)
        for _ in 0..<5 { press("o", &s); typeText("more", &s); press("Enter", &s) }
        press("u u u u u", &s)
        #expect(s.rows.window(from: s.top!, count: s.treeHeight).count == s.treeHeight)
    }

    @Test func conditionsOnlyAtSteps() {
        var s = fresh()
        #expect(press("S", &s).isEmpty)
        #expect(s.message?.text == "S suggests what can go wrong at a step: move to a step (3, 3a1) first")
        press("j Down Down", &s)
        #expect(at(s) == "UC 1 · 2a")
        #expect(press("S", &s).isEmpty)
        #expect(s.message?.text == "S suggests what can go wrong at a step: move to a step (3, 3a1) first")
    }

    @Test func failuresAndEmptyAnswersSaySo() {
        var s = fresh()
        let id = asked("j s", &s)
        _ = App.update(&s, .suggestionsFailed(id: id, message: "HTTP 401: invalid key; set OPENAI_API_KEY"))
        #expect(s.suggestions == nil && s.message?.text == "HTTP 401: invalid key; set OPENAI_API_KEY")
        let again = asked("s", &s)
        _ = App.update(&s, .suggestionsArrived(id: again, candidates: [], done: true))
        #expect(s.suggestions == nil && s.message?.text == "No suggestion here")
    }

    @Test func ghostRowsRender() throws {
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: 80, height: 16)
        let id = asked("j j s", &s)
        try assertSnapshot(Render.screen(s), "suggest-loading-80x16")
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统记录\u{1B}[31m登录", "b"], done: true))
        try assertSnapshot(Render.screen(s), "suggest-shown-80x16")
    }
}

/// An engine that waits until told to answer: a slow first byte.
final class SlowEngine: SuggestionEngine, @unchecked Sendable {
    let release = Mutex(false)
    var name: String { "slow" }
    func suggest(_ context: SuggestionContext, count: Int, partial: @escaping @Sendable ([String]) -> Void,
                 isCancelled: @escaping @Sendable () -> Bool) throws -> [String] {
        while !release.withLock({ $0 }) {
            if isCancelled() { throw SuggestionError("cancelled") }
            usleep(2_000)
        }
        partial(["Clerk con"])
        return ["Clerk confirms the caller"]
    }
}

@Suite struct SuggestionDriverTests {
    @Test func keysAreHandledWhileARequestIsInFlight() {
        let engine = SlowEngine()
        let device = VirtualDevice(width: 80, height: 24)
        let loop = EventLoop(state: AppState(flow: SampleFlow.flow(), path: nil), device: device,
                             engine: LazyEngine { engine })
        device.queue([.key(.char("G")), .key(.char("s"))])
        loop.process(device.readEvents())
        #expect(loop.state.suggestions?.loading == true)
        // The engine has not answered; keys still move the cursor at once.
        device.queue([.key(.char("k")), .key(.char("j"))])
        loop.process(device.readEvents())
        #expect(loop.state.position == "UC 2 · 2" && loop.state.suggestions == nil)
        // Ask again and let it answer.
        device.queue([.key(.char("s"))])
        loop.process(device.readEvents())
        engine.release.withLock { $0 = true }
        #expect(loop.settle())
        #expect(loop.state.suggestions?.candidates == ["Clerk confirms the caller"])
        #expect(device.last?.text.contains("3. Clerk confirms the caller") == true)
        device.queue([.key(.tab)])
        loop.process(device.readEvents())
        #expect(loop.state.flow.children(of: loop.state.flow.useCases[1]).count == 3)
    }

    /// An engine that says when it was made ready.
    final class ReadyEngine: SuggestionEngine, Sendable {
        let prepared = Mutex(0)
        var name: String { "ready" }
        func prepare() { prepared.withLock { $0 += 1 } }
        func suggest(_ context: SuggestionContext, count: Int, partial: @escaping @Sendable ([String]) -> Void,
                     isCancelled: @escaping @Sendable () -> Bool) throws -> [String] { ["Clerk confirms the caller"] }
    }

    @Test func theEngineIsMadeReadyBeforeTheFirstRequestAndOnlyOnce() throws {
        // The editor warms its engine when it opens: made and prepared on a worker, once, so the
        // first suggestion does not wait for the model to be read; the request then finds it made.
        let made = Mutex(0)
        let engine = ReadyEngine()
        let lazy = LazyEngine { made.withLock { $0 += 1 }; return engine }
        lazy.warm()
        let deadline = ContinuousClock.now + .seconds(10)
        while engine.prepared.withLock({ $0 }) == 0, ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(engine.prepared.withLock { $0 } == 1)
        _ = try lazy.get()
        #expect(made.withLock { $0 } == 1)
        // A fallback pair prepares both; an engine that cannot be made is left for the request to say.
        let second = ReadyEngine()
        FallbackEngine(primary: engine, secondary: second, noticed: { _ in }).prepare()
        #expect(engine.prepared.withLock { $0 } == 2 && second.prepared.withLock { $0 } == 1)
        let failing = LazyEngine { throw SuggestionError("no model") }
        failing.warm()
        #expect(throws: SuggestionError("no model")) { try failing.get() }
    }
}

@Suite struct SuggestionViewTests {
    @Test func ghostRowsAreScrolledIntoViewAndWrapped() throws {
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: 40, height: 8)
        press("G s", &s)
        let id = try #require(s.suggestions?.id)
        let long = "System prints the whole customer record with every past call and note"
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: [long], done: true))
        let screen = Render.screen(s)
        try assertSnapshot(screen, "suggest-bottom-40x8")
        // Every word of the candidate is on screen, under the last row, before the status line.
        for word in long.split(separator: " ") { #expect(screen.text.contains(word), "\(word) not shown") }
    }

    /// The "(1/3)" counter follows the text's last line and is never left on a line of its own,
    /// whatever the width.
    @Test func theCounterStaysWithTheText() throws {
        for width in 30...80 {
            var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: width, height: 20)
            press("G s", &s)
            let id = try #require(s.suggestions?.id)
            let text = "System prints the whole customer record with every past call and the notes of each"
            _ = App.update(&s, .suggestionsArrived(id: id, candidates: [text, "b", "c"], done: true))
            let lines = Render.ghostLines(try #require(s.suggestions), width: width, s)
            #expect(lines.allSatisfy { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }, "width \(width)")
            #expect(lines.last?.suffix == "  (1/3)" && lines.dropLast().allSatisfy { $0.suffix.isEmpty }, "width \(width)")
            #expect(lines.allSatisfy { $0.x + DisplayWidth.of($0.text) + DisplayWidth.of($0.suffix) <= width }, "width \(width)")
            #expect(lines.map(\.text).joined(separator: " ").hasSuffix("of each"))
        }
    }
}

@Suite struct EscapeSequenceTests {
    func burst(_ text: String) -> [Msg] {
        text.map { $0 == "\u{1B}" ? .key(.escape) : .key(.char($0)) }
    }

    @Test func sequencesTheTerminalDescriptionDoesNotNameAreReadNotRunAsKeys() {
        // tmux, screen and PuTTY: Home and End as ESC [ 1 ~ and ESC [ 4 ~; rxvt: 7 ~ and 8 ~.
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}[1~")) == [.key(.home)])
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}[4~x")) == [.key(.end), .key(.char("x"))])
        #expect(NcursesDevice.decodeSequences(burst("a\u{1B}[7~\u{1B}[8~")) == [.key(.char("a")), .key(.home), .key(.end)])
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}[1;2A\u{1B}[1;5B\u{1B}[3~\u{1B}[5~\u{1B}[6~\u{1B}[Z\u{1B}[15~\u{1B}[24~"))
                == [.key(.shiftUp), .key(.down), .key(.delete), .key(.pageUp), .key(.pageDown), .key(.backTab), .key(.function(5)), .key(.function(12))])
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}OH\u{1B}OF\u{1B}OA")) == [.key(.home), .key(.end), .key(.up)])
        // Unknown sequences (Insert, focus events, ones with intermediates) are dropped whole.
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}[2~\u{1B}[I\u{1B}[?1;2c\u{1B}[ qj")) == [.key(.char("j"))])
        // Esc typed before a key stays an Esc; Esc [ alone is left for Alt+[.
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}q")) == [.key(.escape), .key(.char("q"))])
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}Ox")) == [.key(.escape), .key(.char("O")), .key(.char("x"))])
        #expect(NcursesDevice.joinAlt(NcursesDevice.decodeSequences(burst("\u{1B}["))) == [.key(.alt("["))])
        #expect(NcursesDevice.decodeSequences(burst("\u{1B}[12")) == burst("\u{1B}[12"))
    }
}

@Suite struct LocaleTests {
    /// A locale that names another character set is said at start; C and POSIX name none.
    @Test func aForeignCharacterSetIsNamed() {
        #expect(FlowTerminalMain.foreignCharset(["LANG": "zh_CN.GB18030"]) == "GB18030")
        #expect(FlowTerminalMain.foreignCharset(["LC_ALL": "en_US.ISO-8859-1", "LANG": "en_US.UTF-8"]) == "ISO-8859-1")
        #expect(FlowTerminalMain.foreignCharset(["LC_CTYPE": "de_DE.ISO-8859-15@euro"]) == "ISO-8859-15")
        for utf8 in [["LANG": "C.UTF-8"], ["LANG": "zh_CN.utf8"], ["LANG": "C"], ["LC_ALL": "POSIX"], [:], ["LANG": ""]] {
            #expect(FlowTerminalMain.foreignCharset(utf8) == nil, "\(utf8)")
        }
    }
}

@Suite struct GlyphTests {
    @Test func aClusterIsDrawnAsOneCharacterWithItsMarksNeverALoneJoiner() {
        func drawn(_ s: String) -> [String] { NcursesDevice.glyphs(s).map { String(String.UnicodeScalarView($0)) } }
        #expect(drawn("系") == ["系"] && drawn("a") == ["a"] && drawn("") == [])
        #expect(drawn("e\u{301}") == ["e\u{301}"])              // a combining accent stays on its letter
        #expect(drawn("👨\u{200D}👩\u{200D}👧") == ["👨"])      // family: its first member, no joiner
        #expect(drawn("👍🏽") == ["👍"])
        #expect(drawn("❤\u{FE0F}") == ["❤\u{FE0F}"])
        #expect(drawn("🇨🇳") == ["C", "N"])                      // a flag: its two letters, two columns
        // Every drawn cluster keeps the columns the grid gave it.
        for s in ["👨\u{200D}👩\u{200D}👧", "👍🏽", "🇨🇳", "系", "e\u{301}"] {
            let glyphs = drawn(s)
            #expect(glyphs.reduce(0) { $0 + DisplayWidth.of($1) } == DisplayWidth.of(Character(s)), "\(s)")
        }
    }
}

@Suite struct AltKeyTests {
    @Test func escFollowedByBracketsIsAlt() {
        #expect(NcursesDevice.joinAlt([.key(.escape), .key(.char("]"))]) == [.key(.alt("]"))])
        #expect(NcursesDevice.joinAlt([.key(.escape), .key(.char("["))]) == [.key(.alt("["))])
        #expect(NcursesDevice.joinAlt([.key(.escape), .key(.char("[")), .key(.char("A"))])
                == [.key(.escape), .key(.char("[")), .key(.char("A"))])
        #expect(NcursesDevice.joinAlt([.key(.escape), .key(.char("q"))]) == [.key(.escape), .key(.char("q"))])
        var s = fresh()
        _ = App.update(&s, .key(.char("j")))
        guard let (id, _) = App.update(&s, .key(.char("s"))).suggestRequest else { Issue.record("no request"); return }
        _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["a", "b", "c"], done: true))
        _ = App.update(&s, .key(.alt("]")))
        #expect(s.suggestions?.index == 1)
        _ = App.update(&s, .key(.alt("[")))
        #expect(s.suggestions?.index == 0)
    }
}

extension [Effect] {
    /// The suggestion request among the effects, if any: its id and context.
    var suggestRequest: (Int, SuggestionContext)? {
        for e in self {
            if case .run(.suggest(let id, let context, _)) = e { return (id, context) }
        }
        return nil
    }

    /// The job of the first `.run` among the effects.
    var firstJob: Job? {
        for e in self { if case .run(let job) = e { return job } }
        return nil
    }

    /// The effects less the recovery timer (which any change starts).
    var withoutRecovery: [Effect] { filter { $0 != .startTimer(.recovery, after: .seconds(1)) } }
}

@Suite struct SuggestionHintTests {
    @Test func theKeysToAcceptShowWhileGhostRowsShowAtAnyWidthAndBesideAMessage() {
        for w in [100, 80, 60, 40, 30] {
            var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: w, height: 16)
            press("j j s", &s)
            guard let id = s.suggestions?.id else { Issue.record("no request"); continue }
            _ = App.update(&s, .suggestionsArrived(id: id, candidates: ["系统记录登录日志", "b"], done: true))
            _ = App.update(&s, .noticed("The server did not answer: local suggestions instead"))
            let status = Render.screen(s).text.split(separator: "\n").last.map(String.init) ?? ""
            #expect(status.contains("Tab") && status.contains("Esc"), "\(w) columns: \(status)")
            #expect(Render.screen(s).text.contains("did not"), "\(w) columns: the message is gone")
        }
    }
}
