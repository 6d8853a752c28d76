import CNcursesw
import FlowDesigner
import Glibc

/// The real terminal, through ncursesw: one thread (the loop's) calls it.
///
/// Pitfalls (docs/ARCHITECTURE.md, "The terminal"): the locale must be UTF-8 before
/// `initscr` or CJK vanishes; `raw()` so Ctrl-C/Ctrl-Z/Ctrl-S reach the app as keys;
/// `set_escdelay(25)` so Esc is prompt; ACS and attribute macros come from the shim.
public final class NcursesDevice: Device {
    private var last: Screen?
    private var pairs: [Int: Int16] = [:]
    private let colors: Int
    private var cursorShown = false
    private var window: UnsafeMutablePointer<WINDOW>?

    public let inputDescriptor: Int32 = 0

    /// Starts full-screen mode. `colorsAllowed` false (NO_COLOR) draws with attributes only.
    public init(colorsAllowed: Bool) {
        Self.useUTF8Locale()
        // The terminal's real size (ioctl), not COLUMNS/LINES left in the environment by a parent
        // program; use_env(false) would be wrong: it means terminfo's fixed 80×24.
        unsetenv("LINES")
        unsetenv("COLUMNS")
        window = initscr()
        raw()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        nodelay(window, true)
        _ = curs_set(0)
        mousemask(CN_BUTTON1_PRESSED | CN_BUTTON1_CLICKED | CN_BUTTON4_PRESSED | CN_BUTTON5_PRESSED, nil)
        // Bracketed paste: pasted text arrives between ESC[200~ and ESC[201~, so a pasted line
        // break cannot act as Enter and pasted letters cannot run commands.
        define_key("\u{1B}[200~", Self.pasteStart)
        define_key("\u{1B}[201~", Self.pasteEnd)
        Self.writeRaw("\u{1B}[?2004h")
        mouseinterval(0)
        if colorsAllowed && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(cn_colors())
        } else {
            colors = 0
        }
        CrashGuard.install()
    }

    /// A terminal that writes to a file instead of the screen, for measuring the bytes each frame
    /// sends (benchmarks): `TERM`-type xterm-256color, the given size, no input.
    public init(recordingTo output: UnsafeMutablePointer<FILE>, width: Int, height: Int) {
        Self.useUTF8Locale()
        setenv("COLUMNS", String(width), 1)
        setenv("LINES", String(height), 1)
        let input = fopen("/dev/null", "r")
        let screen = newterm("xterm-256color", output, input)
        set_term(screen)
        window = cn_stdscr()
        nodelay(window, true)
        start_color()
        use_default_colors()
        colors = Int(cn_colors())
    }

    /// The number of colours the theme may use: 0, 8, 16 or 256.
    public var colorCount: Int { colors >= 256 ? 256 : colors >= 16 ? 16 : colors >= 8 ? 8 : 0 }

    /// Why the terminal `TERM` names cannot show the editor, or nil when it can: terminfo does not
    /// know it, or it cannot place the cursor (`dumb`), where every row would come out empty.
    public static func terminalProblem() -> String? {
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        switch cn_terminal_usable() {
        case 1: return nil
        case -1: return "the terminal TERM=\(term) cannot place the cursor, which the editor needs: run it in a terminal such as xterm (TERM=xterm-256color)"
        default: return term.isEmpty ? "TERM is not set: set it to your terminal's type (e.g. TERM=xterm-256color)"
            : "terminfo does not know TERM=\(term): set TERM to your terminal's type (e.g. xterm-256color), or install its description (ncurses-term)"
        }
    }

    /// Sets a UTF-8 locale, falling back to C.UTF-8 when the environment names none (or one not installed).
    static func useUTF8Locale() {
        _ = setlocale(LC_ALL, "")
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_ALL, name) != nil { break }
        }
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(window)), Int(getmaxy(window))) }

    static let pasteStart: Int32 = 0x2000
    static let pasteEnd: Int32 = 0x2001
    private var pasting: String.UnicodeScalarView?

    public func readEvents() -> [Msg] {
        var out: [Msg] = []
        var ch: wint_t = 0
        while true {
            let r = wget_wch(window, &ch)
            if r == ERR { break }
            if r == KEY_CODE_YES && Int32(ch) == Self.pasteStart {
                pasting = String.UnicodeScalarView()
            } else if r == KEY_CODE_YES && Int32(ch) == Self.pasteEnd {
                if let text = pasting { out.append(.paste(String(text))) }
                pasting = nil
            } else if pasting != nil {
                if r != KEY_CODE_YES, let u = Unicode.Scalar(UInt32(ch)) { pasting?.append(u == "\r" ? "\n" : u) }
            } else if r == KEY_CODE_YES {
                if let m = special(Int32(ch)) { out.append(m) }
            } else if let k = Self.key(UInt32(ch)) {
                out.append(.key(k))
            }
        }
        return Self.joinAlt(Self.decodeSequences(out))
    }

    /// Keys whose sequence the terminal description may not name: tmux, screen and PuTTY send
    /// Home as ESC [ 1 ~ and End as ESC [ 4 ~ whatever TERM says, rxvt ESC [ 7 ~ and ESC [ 8 ~.
    /// ncurses hands back a sequence it does not know as Esc and its characters, which would run
    /// as keys (and Esc ends an edit). Such a sequence, whole in one burst of input, is read here:
    /// known keys become those keys, the rest is dropped.
    public static func decodeSequences(_ events: [Msg]) -> [Msg] {
        func char(_ i: Int) -> Character? {
            guard i < events.count, case .key(.char(let c)) = events[i] else { return nil }
            return c
        }
        var out: [Msg] = []
        var i = 0
        while i < events.count {
            guard events[i] == .key(.escape), let introducer = char(i + 1), introducer == "[" || introducer == "O" else {
                out.append(events[i])
                i += 1
                continue
            }
            if introducer == "O" {
                // SS3: one letter. Only the keys it sends are read, so Esc then O typed stays both.
                if let c = char(i + 2), let key = Self.ss3[c] {
                    out.append(.key(key))
                    i += 3
                } else {
                    out.append(events[i])
                    i += 1
                }
                continue
            }
            // CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
            var j = i + 2
            var parameters = ""
            while let c = char(j), let v = c.unicodeScalars.first?.value, c.unicodeScalars.count == 1, (0x20...0x3F).contains(v) {
                parameters.append(c)
                j += 1
            }
            guard let final = char(j), let v = final.unicodeScalars.first?.value, final.unicodeScalars.count == 1,
                  (0x40...0x7E).contains(v) else {
                // Not whole in this burst: left as it came (Esc [ alone is Alt+[ for `joinAlt`).
                out.append(events[i])
                i += 1
                continue
            }
            if let key = csi(parameters, final) { out.append(.key(key)) }
            i = j + 1
        }
        return out
    }

    static let ss3: [Character: Key] = ["A": .up, "B": .down, "C": .right, "D": .left, "H": .home, "F": .end,
                                        "P": .function(1), "Q": .function(2), "R": .function(3), "S": .function(4)]

    /// The key of a CSI sequence, or nil for one flowsmith has no use for (dropped).
    static func csi(_ parameters: String, _ final: Character) -> Key? {
        let numbers = parameters.split(separator: ";").map { Int($0) }
        let shift = numbers.count >= 2 && numbers[1] == 2
        switch final {
        case "A": return shift ? .shiftUp : .up
        case "B": return shift ? .shiftDown : .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "~":
            switch numbers.first ?? nil {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case let n? where (11...15).contains(n): return .function(n - 10)
            case let n? where (17...21).contains(n): return .function(n - 11)
            case 23: return .function(11)
            case 24: return .function(12)
            default: return nil
            }
        default: return nil
        }
    }

    /// Terminals send Alt+] as Esc then "]" in one burst; only the Alt keys flowsmith binds are
    /// joined (Alt+] always, Alt+[ only at the end of a burst, where it cannot start a CSI), so an
    /// Esc typed before another key stays an Esc.
    public static func joinAlt(_ events: [Msg]) -> [Msg] {
        var out: [Msg] = []
        var i = 0
        while i < events.count {
            if events[i] == .key(.escape), i + 1 < events.count,
               events[i + 1] == .key(.char("]")) || (events[i + 1] == .key(.char("[")) && i + 2 == events.count) {
                if case .key(.char(let c)) = events[i + 1] { out.append(.key(.alt(c))) }
                i += 2
                continue
            }
            out.append(events[i])
            i += 1
        }
        return out
    }

    /// Writes a control sequence straight to the terminal (modes ncurses has no call for).
    static func writeRaw(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    static func key(_ code: UInt32) -> Key? {
        switch code {
        case 0: return .ctrlSpace
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(code + 96) ?? "?"))
        case 28...31: return nil
        default: return Unicode.Scalar(code).map { .char(Character($0)) }
        }
    }

    private func special(_ code: Int32) -> Msg? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_ENTER: return .key(.enter)
        case KEY_BTAB: return .key(.backTab)
        case KEY_SR: return .key(.shiftUp)
        case KEY_SF: return .key(.shiftDown)
        case KEY_RESIZE:
            let (w, h) = size
            invalidate()
            return .resized(width: w, height: h)
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK else { return nil }
            if event.bstate & CN_BUTTON4_PRESSED != 0 { return .scrolled(lines: -3) }
            if event.bstate & CN_BUTTON5_PRESSED != 0 { return .scrolled(lines: 3) }
            return .clicked(x: Int(event.x), y: Int(event.y))
        case KEY_F0 + 1...KEY_F0 + 12: return .key(.function(Int(code - KEY_F0)))
        default:
            guard let name = keyname(code).map({ String(cString: $0) }) else { return nil }
            if name.hasPrefix("kUP") { return .key(.shiftUp) }
            if name.hasPrefix("kDN") { return .key(.shiftDown) }
            return nil
        }
    }

    public func present(_ screen: Screen) {
        if last?.width != screen.width || last?.height != screen.height { last = nil; erase() }
        for y in 0..<screen.height {
            for x in 0..<screen.width {
                let cell = screen[x, y]
                if let old = last, old[x, y] == cell { continue }
                if cell.text.isEmpty { continue }
                draw(cell, x: x, y: y)
            }
        }
        last = screen
        if let c = screen.cursor {
            if !cursorShown { _ = curs_set(1); cursorShown = true }
            wmove(window, Int32(c.y), Int32(c.x))
        } else if cursorShown {
            _ = curs_set(0)
            cursorShown = false
        }
        wrefresh(window)
    }

    private func draw(_ cell: Screen.Cell, x: Int, y: Int) {
        let pair = self.pair(cell.style)
        for (i, glyph) in Self.glyphs(cell.text).enumerated() {
            var wide = glyph.map { wchar_t(bitPattern: $0.value) } + [0]
            var cc = cchar_t()
            setcchar(&cc, &wide, attributes(cell.style), pair, nil)
            mvwadd_wch(window, Int32(y), Int32(x + i), &cc)
        }
    }

    /// What a cell's grapheme cluster is drawn as: one character cell of ncurses holds one spacing
    /// character and the marks on it, so a cluster of several (👨‍👩‍👧, 👍🏽) would lose the
    /// rest and leave a joiner that shifts the line in some terminals. It is drawn as its first
    /// character with its marks (👨, 👍), a flag as its two letters (🇨🇳 → CN), in the columns
    /// the grid gave it.
    public static func glyphs(_ text: String) -> [[Unicode.Scalar]] {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first, scalars.count > 1 else { return scalars.isEmpty ? [] : [scalars] }
        if scalars.count == 2, scalars.allSatisfy({ (0x1F1E6...0x1F1FF).contains($0.value) }) {
            return scalars.map { [Unicode.Scalar(UInt8(0x41 + $0.value - 0x1F1E6))] }
        }
        var out = [first]
        for s in scalars.dropFirst() where out.count < 5 {
            switch s.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: out.append(s)
            default: if (0xFE00...0xFE0F).contains(s.value) { out.append(s) }
            }
        }
        return [out]
    }

    private func attributes(_ s: Style) -> attr_t {
        var a = CN_A_NORMAL
        if s.bold { a |= CN_A_BOLD }
        if s.dim { a |= CN_A_DIM }
        if s.italic { a |= CN_A_ITALIC }
        if s.underline { a |= CN_A_UNDERLINE }
        if s.reverse { a |= CN_A_REVERSE }
        return a
    }

    /// The colour pair for a style's colours, made on first use.
    private func pair(_ s: Style) -> Int16 {
        guard colors > 0 else { return 0 }
        func n(_ c: Color) -> Int16 {
            if case .index(let i) = c, i < colors { return Int16(i) }
            return -1
        }
        let (fg, bg) = (n(s.fg), n(s.bg))
        if fg == -1 && bg == -1 { return 0 }
        let key = Int(fg) * 1000 + Int(bg)
        if let p = pairs[key] { return p }
        guard pairs.count + 1 < Int(cn_color_pairs()) else { return 0 }
        let p = Int16(pairs.count + 1)
        init_pair(p, fg, bg)
        pairs[key] = p
        return p
    }

    public func invalidate() {
        last = nil
        clearok(window, true)
    }

    public func suspend() {
        Self.writeRaw("\u{1B}[?2004l")
        endwin()
        kill(getpid(), SIGSTOP)
        // Back from `fg`: everything is drawn again.
        reset_prog_mode()
        Self.writeRaw("\u{1B}[?2004h")
        invalidate()
    }

    public func stop() {
        _ = curs_set(1)
        Self.writeRaw("\u{1B}[?2004l")
        // A terminal without a second screen (vt100) would keep the last frame under the shell's
        // prompt: it is cleared instead.
        let alternate = tigetstr("smcup")
        if alternate == nil || alternate == UnsafeMutablePointer(bitPattern: -1) {
            wclear(window)
            wrefresh(window)
        }
        endwin()
        CrashGuard.uninstall()
    }
}
