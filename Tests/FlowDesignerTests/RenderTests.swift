import FlowCore
import FlowDesigner
import FlowFormats
import Foundation
import TestSupport
import Testing

/// Render snapshots: the screen as text, kept in Snapshots/ beside this file and re-recorded with
/// RECORD_SNAPSHOTS=1 swift test.
func assertSnapshot(_ screen: Screen, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Fixtures.root.appendingPathComponent("Tests/FlowDesignerTests/Snapshots/\(name).txt")
    let text = screen.text
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "snapshot \(name) differs:\n\(text)", sourceLocation: sourceLocation)
}

@Suite struct RenderTests {
    func state(_ w: Int, _ h: Int, _ keys: String = "") -> AppState {
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: w, height: h)
        if !keys.isEmpty {
            // The detail pane's data is a job: do it here, as the runner would.
            for case .run(.detail(let flow, let key)) in press(keys, &s) {
                _ = App.update(&s, .detailComputed(Detail.compute(flow, key)))
            }
        }
        return s
    }

    @Test func tree80x24() throws { try assertSnapshot(Render.screen(state(80, 24, "j j")), "tree-80x24") }
    @Test func tree40x12() throws { try assertSnapshot(Render.screen(state(40, 12, "G")), "tree-40x12") }
    @Test func folded() throws { try assertSnapshot(Render.screen(state(80, 24, "2")), "folded-80x24") }
    @Test func detailRight() throws { try assertSnapshot(Render.screen(state(100, 24, "j j v")), "detail-100x24") }
    @Test func detailBelow() throws { try assertSnapshot(Render.screen(state(60, 24, "j j v t")), "detail-60x24") }
    @Test func help() throws { try assertSnapshot(Render.screen(state(80, 24, "?")), "help-80x24") }

    /// The help box draws nothing outside its border, and the tree behind it shows no sliver
    /// beside it (whose cut rows read as stray "…"): at any width, height and scroll.
    @Test func helpDrawsNothingOutsideItsBox() throws {
        var flow = Flow(title: "Long rows")
        let uc = flow.addUseCase("A use case whose title is far too long for any terminal this test draws on")
        for i in 1...30 { flow.addStep("Step \(i): 客户在很长的一行里填写了很多很多的信息 and then the clerk checks all of it twice", to: uc) }
        for (w, h) in [(60, 24), (70, 24), (80, 24), (70, 6), (60, 7), (80, 8), (100, 10)] {
            var s = AppState(flow: flow, path: "long.flow.md", width: w, height: h)
            press("?", &s)
            // Every row of the help once (a box's inside is h - 4 rows), and its last page.
            for scroll in Array(stride(from: 0, to: Render.helpMaxScroll(s), by: h - 4)) + [Render.helpMaxScroll(s)] {
                s.mode = .help(scroll: scroll)
                let screen = Render.screen(s)
                let rows = (0..<h).map { y in (0..<w).map { screen[$0, y].text } }
                let left = try #require(rows[1].firstIndex(of: "┌")), right = try #require(rows[1].firstIndex(of: "┐"))
                let bottom = try #require(rows.firstIndex { $0.contains("└") })
                for y in 0..<(h - 1) {
                    let cells = rows[y]
                    if y > 1 && y < bottom { #expect(cells[left] == "│" && cells[right] == "│", "\(w)×\(h) row \(y):\n\(screen.text)") }
                    // Outside the box: blank next to it, and no "…" anywhere.
                    let outside = (0..<w).filter { y == 0 || y > bottom || $0 < left || $0 > right }
                    #expect(!outside.contains { cells[$0] == "…" }, "\(w)×\(h) scroll \(scroll):\n\(screen.text)")
                    for x in [left - 1, right + 1] where x >= 0 && x < w { #expect(cells[x] == " " || y > bottom) }
                    if y == 0 { #expect(cells[left...right].allSatisfy { $0 == " " }) }
                }
            }
        }
    }

    /// A new row being named (N, o, x) says what to type, dimmed, until the first character.
    @Test func emptyNewRowsShowAPlaceholder() throws {
        for (keys, expected) in [("N", "use case title, e.g. Submit an expense claim"), ("j o", "step, e.g. Customer enters the delivery address"),
                                 ("j j x", "condition, e.g. The card is declined")] {
            let d = Driver(SampleFlow.flow(), path: "crm.flow.md", width: 80, height: 24).keys(keys)
            let screen = try #require(d.device.last)
            let y = try #require(screen.cursor?.y), x = try #require(screen.cursor?.x)
            let row = (x..<80).map { screen[$0, y].text }.joined()
            #expect(row.hasPrefix(expected), "\(keys):\n\(screen.text)")
            #expect(screen[x, y].style.dim && screen[x, y].style.underline)
            d.type("W")
            #expect(!d.screen.contains(expected) && d.screen.contains("W"))
        }
    }

    /// The pane's rows (from column `x`), as text.
    func pane(_ screen: Screen, from x: Int) -> [String] {
        (0..<(screen.height - 1)).map { y in (x..<screen.width).map { screen[$0, y].text }.joined().trimmingCharacters(in: .whitespaces) }
    }

    /// On a use case's title row the pane shows its fields, in any language, wrapped to the pane
    /// and with controls shown as pictures; on a step's row the diagram keeps the room.
    @Test func theDetailPaneShowsAUseCasesFields() throws {
        var flow = Flow(title: "CRM")
        let uc = flow.addUseCase("系统登录", fields: [
            Field("Primary actor", "客服人员"),
            Field("Goal", "The clerk signs in with a user name and a password, then sees the home page"),
            Field("前置条件", "用户已经注册了账号并且账号没有被锁定，系统正常运行\u{1B}[31m"),
        ])
        flow.addStep("用户填写用户名、密码", to: uc)
        for (width, x) in [(100, 62), (60, 1)] {
            let d = Driver(flow, path: "crm.flow.md", width: width, height: 24).keys("v")
            let screen = try #require(d.device.last)
            let rows = pane(screen, from: x)
            #expect(rows.contains("Primary actor: 客服人员"), "\(screen.text)")
            let goal = try #require(rows.firstIndex { $0.hasPrefix("Goal: The clerk signs in") }, "\(screen.text)")
            #expect((rows[goal] + " " + rows[goal + 1]).contains("then sees") || width == 60)
            let pre = try #require(rows.firstIndex { $0.hasPrefix("前置条件: 用户已经注册") }, "\(screen.text)")
            #expect(rows[pre...].joined().contains("系统正常运行␛[31m"), "\(screen.text)")
            #expect(!rows.contains { $0.hasSuffix("…") }, "wrapped, not cut:\n\(screen.text)")
            d.keys("j")
            #expect(!pane(try #require(d.device.last), from: x).contains("Primary actor: 客服人员"))
        }
        // Without fields, the pane says how to give the use case some.
        var bare = Flow(title: "CRM")
        bare.addStep("用户填写用户名、密码", to: bare.addUseCase("系统登录"))
        let d = Driver(bare, path: "crm.flow.md", width: 100, height: 24).keys("v")
        #expect(pane(try #require(d.device.last), from: 62).joined(separator: " ").contains("No fields yet: :field Goal:"))
    }

    /// The flow's title shows after the file's name on the status bar: as pictures where it
    /// holds controls, cut to a third of a wide bar, and not at all on a narrow one.
    @Test func theStatusBarNamesTheFlowsTitle() throws {
        var flow = Flow(title: "客户关系管理\u{1B}[31m")
        flow.addStep("用户填写用户名", to: flow.addUseCase("系统登录"))
        func bar(_ flow: Flow, width: Int) throws -> String {
            let screen = try #require(Driver(flow, path: "crm.flow.md", width: width, height: 12).send([.resized(width: width, height: 12)]).device.last)
            return String(screen.text.split(separator: "\n", omittingEmptySubsequences: false)[11])
        }
        #expect(try bar(flow, width: 80).hasPrefix(" crm.flow.md · 客户关系管理␛[31m  UC 1"))
        flow.title = "Customer relationship management for the northern sales region"
        let long = try bar(flow, width: 80)
        #expect(long.hasPrefix(" crm.flow.md · Customer relationship …  UC 1"), "\(long)")
        #expect(long.hasSuffix("? help · s suggest · q quit"), "the keys a newcomer needs still show: \(long)")
        #expect(try !bar(flow, width: 50).contains("Customer"))
        flow.title = "  "
        #expect(try bar(flow, width: 80).hasPrefix(" crm.flow.md  UC 1"))
    }

    /// The keys the status bar and the messages name are the keys as the config binds them.
    @Test func hintsNameTheKeysAsBound() throws {
        let config = try Config.parse("[keys]\nhelp = F2\nedit = F3\nquit = Ctrl-Q\naccept-suggestion = Ctrl-Y\n")
        var s = AppState(flow: SampleFlow.flow(), path: "crm.flow.md", width: 120, height: 12)
        s.bindings = config.bindings()
        var bar = Render.screen(s).text.split(separator: "\n", omittingEmptySubsequences: false)[11]
        #expect(bar.hasSuffix("F2 help · o add · s suggest · F3 edit · u undo · Ctrl-Q quit"), "\(bar)")
        press("?", &s)
        #expect(s.message?.text == "? does nothing here; F2 lists the keys")
        press("j s", &s)
        _ = App.update(&s, .suggestionsArrived(id: s.suggestions?.id ?? 0, candidates: ["系统校验验证码"], done: true))
        bar = Render.screen(s).text.split(separator: "\n", omittingEmptySubsequences: false)[11]
        #expect(bar.hasSuffix("Ctrl-Y accept · A accept+next · Ctrl-N/P cycle · Esc dismiss"), "\(bar)")
    }

    /// The rows of the pane (right of column `x`) drawn in the cursor's style, as text.
    func highlighted(_ screen: Screen, from x: Int, style: Style) -> [String] {
        (0..<screen.height).compactMap { y in
            let cells = (x..<screen.width).map { screen[$0, y] }.filter { $0.style == style }
            return cells.isEmpty ? nil : cells.map(\.text).joined()
        }
    }

    @Test func theDiagramHighlightsTheStepUnderTheCursorAndFollowsIt() throws {
        var s = state(100, 24, "j j v")
        #expect(s.preview == .text)
        let cursor = s.theme[.cursor]
        var rows = highlighted(Render.screen(s), from: 61, style: cursor)
        #expect(rows.contains { $0.contains("2. 系统验证用户身份") }, "\(rows)")
        #expect(!rows.contains { $0.contains("1. 用户填写") })
        // Down to the extension: its branch is highlighted instead.
        for case .run(.detail(let flow, let key)) in press("j", &s) { _ = App.update(&s, .detailComputed(Detail.compute(flow, key))) }
        rows = highlighted(Render.screen(s), from: 61, style: cursor)
        #expect(rows.contains { $0.contains("2a. 密码错误") } && !rows.contains { $0.contains("2. 系统验证") }, "\(rows)")
    }

    @Test func theDiagramScrollsToAStepFarDown() throws {
        var flow = Flow(title: "Long")
        let uc = flow.addUseCase("Many steps")
        for i in 1...40 { flow.addStep("Step number \(i) of the long use case", to: uc) }
        var s = AppState(flow: flow, path: "long.flow.md", width: 100, height: 24)
        for case .run(.detail(let f, let key)) in press("G v", &s) { _ = App.update(&s, .detailComputed(Detail.compute(f, key))) }
        let screen = Render.screen(s)
        let rows = highlighted(screen, from: 61, style: s.theme[.cursor])
        #expect(rows.contains { $0.contains("40. Step number 40") }, "\(screen.text)")
        #expect(!screen.text.contains("1. Step number 1 "))
    }
    @Test func tooSmall() throws { try assertSnapshot(Render.screen(state(20, 4)), "too-small-20x4") }

    @Test func editingShowsTheCursorAfterWideText() throws {
        var s = state(40, 12, "j e")
        typeText("系统", &s)
        let screen = Render.screen(s)
        try assertSnapshot(screen, "editing-40x12")
        // "  1. " is 7 columns with the marker; the label is 20 wide, then 系统 adds 4.
        #expect(screen.cursor?.x == 7 + DisplayWidth.of("用户填写用户名、密码系统"))
        #expect(screen.cursor?.y == 1)
    }

    /// On a narrow row, wherever the cursor is in a long Chinese label, the character under it
    /// shows whole (it was drawn as "…" when the text went on past the row).
    @Test func theCharacterUnderTheCursorAlwaysShows() throws {
        var flow = Flow(title: "T")
        let label = "系统刷新图形验证码，并提示客服人员重新输入新的验证码然后再次校验。"
        flow.addStep(label, to: flow.addUseCase("系统登录"))
        for width in [30, 31, 40, 50] {
            var s = AppState(flow: flow, path: "t.flow.md", width: width, height: 8)
            press("j e Home", &s)
            let chars = Array(label)
            for i in 0..<chars.count {
                let screen = Render.screen(s)
                let cursor = try #require(screen.cursor)
                #expect(screen[cursor.x, cursor.y].text == String(chars[i]), "width \(width), at \(i): \(screen.text)")
                press("Right", &s)
            }
        }
    }

    @Test func searchPromptAndMatch() throws {
        var s = state(80, 12, "/")
        typeText("验证", &s)
        try assertSnapshot(Render.screen(s), "search-80x12")
    }

    @Test func widthsFollowGraphemes() {
        #expect(DisplayWidth.of("系统登录") == 8)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("👩‍💻") == 2)
        #expect(DisplayWidth.of("🇨🇳") == 2)
        #expect(DisplayWidth.of("ｱ") == 1)
        #expect(DisplayWidth.of("Ａ") == 2)
        #expect(DisplayWidth.of("\u{1B}") == 0)
    }

    @Test func longLabelsEndInAnEllipsisAndNeverSplitAWideCharacter() {
        var screen = Screen(width: 10, height: 1)
        screen.put("系统登录系统登录", x: 0, y: 0, style: .plain)
        #expect(screen.text == "系统登录…\n")
        var odd = Screen(width: 9, height: 1)
        odd.put("系统登录系统登录", x: 0, y: 0, style: .plain)
        #expect(odd.text == "系统登录…\n")
        var controls = Screen(width: 20, height: 1)
        controls.put("a\u{1B}[31mb\u{9B}c\u{202E}d", x: 0, y: 0, style: .plain)
        #expect(controls.text == "a␛[31mb\u{FFFD}c\u{FFFD}d\n")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var screen = Screen(width: 6, height: 1)
        screen.put("系统登", x: 0, y: 0, style: .plain)
        screen.put("|", x: 1, y: 0, style: .plain)
        #expect(screen.text == " |统登\n")
        screen.put("x", x: 2, y: 0, style: .plain)
        #expect(screen.text == " |x 登\n")
    }

    @Test func untrustedLabelsNeverReachTheScreenRaw() {
        var flow = Flow()
        let uc = flow.addUseCase("\u{1B}]52;c;ZXZpbA==\u{07}")
        flow.addStep("\u{1B}[2J\u{9B}31m\u{202E}", to: uc)
        let s = AppState(flow: flow, path: "x", width: 60, height: 8)
        for cell in Render.screen(s).cells {
            #expect(cell.text.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) && !(0x202A...0x202E).contains($0.value) })
        }
    }

    @Test func themesLoadAndAdapt() throws {
        for name in ["default", "light", "high-contrast", "monochrome"] {
            let text = try Fixtures.text(Fixtures.root.appendingPathComponent("themes/\(name).theme"))
            let theme = try Theme.parse(text, name: name)
            #expect(Set(theme.styles.keys) == Set(Theme.Role.allCases), "\(name) misses roles")
            // Without colours the cursor row and the status bar still stand out.
            let mono = theme.adapted(toColors: 0)
            #expect(mono[.cursor] != mono[.normal])
            #expect(mono[.status] != mono[.normal])
            for style in theme.adapted(toColors: 8).styles.values {
                for c in [style.fg, style.bg] { if case .index(let i) = c { #expect(i < 8) } }
            }
        }
        // A grey stays a grey on 8 and 16 colours (the default theme's 244 was drawn yellow).
        for grey in [240, 244, 248, 252, 102] {
            #expect([Color.index(0), .index(7)].contains(Color.index(grey).reduced(to: 8)), "\(grey)")
            #expect([Color.index(0), .index(7), .index(8), .index(15)].contains(Color.index(grey).reduced(to: 16)), "\(grey)")
        }
        #expect(Color.index(244).reduced(to: 16) == .index(8) && Color.index(196).reduced(to: 8) == .index(1))
        #expect(throws: ThemeError(line: 1, message: "unknown word \"blinking\": expected a colour, \"on COLOUR\" or bold, dim, italic, underline, reverse")) {
            try Theme.parse("cursor = red blinking", name: "bad")
        }
        // Every mistake of a theme is named at once, in line order.
        do {
            _ = try Theme.parse("cursor = red blinking\nusecase = bold\nnosuch = red\n# ghost = on\nghost = on\n", name: "bad")
            Issue.record("a theme with mistakes was taken")
        } catch {
            #expect(error.all.map(\.line) == [1, 3, 5], "\(error.all)")
        }
    }

    /// Every character of the cursor row can be read, in every bundled theme and in a user theme
    /// that names only some roles (the high-contrast theme drew it white on white).
    @Test func theCursorRowIsReadableInEveryTheme() throws {
        var themes = try ["default", "light", "high-contrast", "monochrome"].map { name in
            try Theme.parse(try Fixtures.text(Fixtures.root.appendingPathComponent("themes/\(name).theme")), name: name)
        }
        themes.append(try Theme.parse("usecase = red bold\n", name: "mine"))
        for theme in themes {
            var s = fresh()
            s.theme = theme
            for keys in ["", "j", "j j"] {
                var t = s
                press(keys, &t)
                let screen = Render.screen(t)
                let y = (0..<screen.height).first { screen[screen.width - 1, $0].style == theme[.cursor] }
                #expect(theme[.cursor] != theme[.normal], "\(theme.name): the cursor row does not stand out")
                guard let y else { Issue.record("\(theme.name): no cursor row"); continue }
                for x in 0..<screen.width where !screen[x, y].text.trimmingCharacters(in: .whitespaces).isEmpty {
                    let st = screen[x, y].style
                    #expect(st.fg != st.bg || st.fg == .default, "\(theme.name) \(keys): \(screen[x, y].text) at \(x) is \(st.fg) on \(st.bg)")
                }
            }
        }
    }
}

@Suite struct DriverTests {
    @Test func realLoopHandlesABatchOfKeysAndDrawsOnce() {
        let d = Driver(SampleFlow.flow(), path: "crm.flow.md")
        let before = d.loop.frames
        d.send([.key(.char("j")), .key(.char("o"))] + "系统记录日志".map { .key(.char($0)) } + [.key(.enter)])
        #expect(d.loop.frames == before + 1)
        #expect(d.state.position == "UC 1 · 2")
        #expect(d.screen.contains("  2. 系统记录日志"))
        d.keys("u")
        #expect(!d.screen.contains("系统记录日志"))
        d.keys("q")
        #expect(d.loop.finished)
    }

    @Test func resizeToTinyAndBack() {
        let d = Driver(SampleFlow.flow(), width: 80, height: 24)
        d.send([.resized(width: 10, height: 3)])
        #expect(d.screen.contains("terminal"))
        d.send([.resized(width: 40, height: 12)])
        #expect(d.screen.contains("系统登录"))
        d.send([.resized(width: 0, height: 0)])
        #expect(d.screen == "")
    }

    @Test func aLongMessageKeepsWhatHappenedAndWhatToDo() throws {
        // At 30×8 a failed save's message takes half the screen, all of it shown.
        let d = Driver(SampleFlow.flow(), path: "tiny.flow.md", width: 30, height: 8)
        d.send([.saveFailed("tiny.flow.md changed on disk since it was read: :w! overwrites it, :e! tiny.flow.md reloads it")])
        var rows = d.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(rows[3...6]) == [" Not saved: tiny.flow.md", " changed on disk since it was", " read: :w! overwrites it, :e!", " tiny.flow.md reloads it"], "\(rows)")
        // Longer than that: its first row (what failed) and its last rows (what to do) stay,
        // the middle is left out.
        d.send([.saveFailed("tiny.flow.md: cannot create a file in /nonexistent/dir/deep/deeper/deepest: no such file or directory")])
        rows = d.screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(rows[3].hasPrefix(" Not saved: tiny.flow.md") && rows[3].hasSuffix("…"), "\(rows)")
        #expect(rows[6].contains("directory"), "\(rows)")
        #expect(rows.allSatisfy { DisplayWidth.of($0) <= 30 })
    }

    @Test func aSaveKeepsTheFilesLineEndsAndMarkAndXWritesNothingUnchanged() throws {
        let dir = NSTemporaryDirectory() + "fs-driver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/windows.flow.md"
        let original = "\u{FEFF}" + SampleFlow.text.replacingOccurrences(of: "\n", with: "\r\n")
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let flow = try FlowMarkdownReader.read(try TextFile.read(path)).flow
        // :x with nothing changed writes nothing: the file keeps its bytes and its time.
        let idle = Driver(flow, path: path)
        idle.loop.setDiskStamp(TextFile.stamp(path))
        let before = TextFile.stamp(path)
        idle.send([.key(.char(":"))]).type("x").keys("Enter")
        #expect(idle.loop.finished && TextFile.stamp(path) == before)
        // An edit saved: one line more, every line still ending in CRLF, the mark kept.
        let d = Driver(flow, path: path)
        d.loop.setDiskStamp(TextFile.stamp(path))
        d.keys("G o").type("Clerk notes the call").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Saved \(path)")
        let bytes = try #require(FileManager.default.contents(atPath: path))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{FEFF}# "))
        #expect(text.components(separatedBy: "\r\n").count == original.components(separatedBy: "\r\n").count + 1)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains("Clerk notes the call\r\n"))
        // :x with a change writes it.
        d.keys("o").type("again").keys("Enter")
        d.send([.key(.char(":"))]).type("x").keys("Enter")
        #expect(d.loop.finished)
        #expect(try TextFile.read(path).contains("again"))
    }

    @Test func savesThroughTheEffectRunner() throws {
        let dir = NSTemporaryDirectory() + "fs-driver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/crm.flow.md"
        let d = Driver(SampleFlow.flow(), path: path)
        d.keys("G o").type("Clerk notes the call").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Saved \(path)")
        let saved = try FlowMarkdownReader.read(try String(contentsOfFile: path, encoding: .utf8)).flow
        #expect(saved.stepCount == SampleFlow.flow().stepCount + 1)
        d.send([.key(.char(":"))]).type("w \(dir)/missing/x.flow.md").keys("Enter")
        #expect(d.state.message?.text == "Not saved: \(dir)/missing/x.flow.md: cannot create a file in \(dir)/missing: no such file or directory")
        d.send([.key(.char(":"))]).type("export mermaid \(dir)/crm.mmd").keys("Enter")
        #expect(try String(contentsOfFile: dir + "/crm.mmd", encoding: .utf8).hasPrefix("flowchart TD"))
    }

    @Test func aMermaidExportTooLargeForMermaidJSIsSaid() throws {
        let dir = NSTemporaryDirectory() + "fs-driver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = "## Many\n\n" + (1...501).map { "\($0). Step \($0).\n" }.joined()
        let d = Driver(try FlowMarkdownReader.read(text).flow, path: dir + "/many.flow.md")
        d.send([.key(.char(":"))]).type("export mermaid \(dir)/many.mmd").keys("Enter")
        #expect(d.state.message?.text.hasPrefix("Exported \(dir)/many.mmd: mermaid-js with its default settings will not draw this diagram: 501 edges") == true,
                "\(d.state.message?.text ?? "")")
        d.send([.key(.char(":"))]).type("export dot \(dir)/many.dot").keys("Enter")
        #expect(d.state.message?.text == "Exported \(dir)/many.dot")
    }

    @Test func anExportNeverReplacesTheFlowAndAskedBeforeAnotherFile() throws {
        let dir = NSTemporaryDirectory() + "fs-driver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/crm.flow.md"
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: path)
        try "keep".write(toFile: dir + "/old.mmd", atomically: true, encoding: .utf8)
        let d = Driver(SampleFlow.flow(), path: path)
        // The open flow's own file, by its name or through a link: never, not even with !.
        for (command, name) in [("export", path), ("export!", path), ("export! text", dir + "/link.txt")] {
            let words = command.contains(" ") ? command : command + " text"
            d.send([.key(.char(":"))]).type("\(words) \(name)").keys("Enter")
            #expect(d.state.message?.text == "Not exported: \(name) is the flow being exported: write the export to another file")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == SampleFlow.text)
        }
        // Another existing file: only with :export!.
        d.send([.key(.char(":"))]).type("export mermaid \(dir)/old.mmd").keys("Enter")
        #expect(d.state.message?.text == "Not exported: \(dir)/old.mmd already exists: :export! mermaid \(dir)/old.mmd replaces it")
        #expect(try String(contentsOfFile: dir + "/old.mmd", encoding: .utf8) == "keep")
        d.send([.key(.char(":"))]).type("export! mermaid \(dir)/old.mmd").keys("Enter")
        #expect(try String(contentsOfFile: dir + "/old.mmd", encoding: .utf8).hasPrefix("flowchart TD"))
    }

    @Test func neverOverwritesChangesMadeOnDiskOrAnotherFile() throws {
        let dir = NSTemporaryDirectory() + "fs-driver-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/crm.flow.md"
        let other = dir + "/other.flow.md"
        try SampleFlow.text.write(toFile: path, atomically: true, encoding: .utf8)
        try "## Other\n\n1. keep me\n".write(toFile: other, atomically: true, encoding: .utf8)
        let d = Driver(SampleFlow.flow(), path: path)
        d.loop.setDiskStamp(TextFile.stamp(path))
        // Someone else changes the file while it is open.
        try (SampleFlow.text + "\n## Added elsewhere\n\n1. x\n").write(toFile: path, atomically: true, encoding: .utf8)
        d.keys("j o").type("mine").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Not saved: \(path) changed on disk since it was read: :w! overwrites it, :e! \(path) reloads it")
        // A folder is said to be one, not offered to be replaced.
        d.send([.key(.char(":"))]).type("w \(dir)").keys("Enter")
        #expect(d.state.message?.text == "Not saved: \(dir) is a directory: give a file name (:w \(dir)/NAME.flow.md)")
        // A FIFO would hold the editor until something read it.
        #expect(mkfifo(dir + "/pipe.flow.md", 0o600) == 0)
        d.send([.key(.char(":"))]).type("w! \(dir)/pipe.flow.md").keys("Enter")
        #expect(d.state.message?.text == "Not saved: \(dir)/pipe.flow.md is a FIFO (a named pipe), not a file: the editor writes flow files (flowsmith export writes into pipes)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Added elsewhere"))
        d.send([.key(.char(":"))]).type("w \(other)").keys("Enter")
        #expect(d.state.message?.text == "Not saved: \(other) already exists: :w! \(other) replaces it")
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "## Other\n\n1. keep me\n")
        d.send([.key(.char(":"))]).type("w!").keys("Enter")
        #expect(d.state.message?.text == "Saved \(path)" && !d.state.isModified)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("mine"))
        // After a save, the next one goes through without force.
        d.keys("o").type("again").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Saved \(path)")
        // A write-protected file (chmod a-w) is written only with :w!, and stays protected.
        chmod(path, 0o444)
        d.keys("o").type("protected").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Not saved: \(path): is write-protected (mode 444): :w! writes it anyway")
        #expect(d.state.isModified)
        #expect(try !String(contentsOfFile: path, encoding: .utf8).contains("protected"))
        d.send([.key(.char(":"))]).type("w!").keys("Enter")
        #expect(d.state.message?.text == "Saved \(path)" && !d.state.isModified)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("protected"))
        // A file deleted while open is said to be gone, not changed.
        unlink(path)
        d.keys("o").type("after").keys("Enter Ctrl-S")
        #expect(d.state.message?.text == "Not saved: \(path) was deleted or moved away since it was read: :w! writes it again")
        d.send([.key(.char(":"))]).type("w!").keys("Enter")
        #expect(d.state.message?.text == "Saved \(path)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("after"))
    }
}
