/// A key press as the app sees it, whatever the terminal sent.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Character)
    case ctrl(Character)
    /// Esc and a key sent together, as terminals send Alt (never needed: every Alt key has another).
    case alt(Character)
    case up, down, left, right, shiftUp, shiftDown
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case ctrlSpace
    case function(Int)

    /// The name used in the key reference and in config files: `j`, `Ctrl-R`, `Shift-Down`, `Space`.
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "Ctrl-" + String(c).uppercased()
        case .alt(let c): return "Alt-" + String(c)
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .shiftUp: return "Shift-Up"
        case .shiftDown: return "Shift-Down"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Delete"
        case .ctrlSpace: return "Ctrl-Space"
        case .function(let n): return "F\(n)"
        }
    }

    /// Reads a key name as written in a config file, in any letter case (`Ctrl-X`, `ctrl-x`,
    /// `f12`, `SPACE`); the inverse of `description`. Ctrl goes with a letter only: a terminal
    /// sends nothing else for it.
    public init?(name: String) {
        let named: [String: Key] = [
            "space": .char(" "), "up": .up, "down": .down, "left": .left, "right": .right,
            "shift-up": .shiftUp, "shift-down": .shiftDown, "pgup": .pageUp, "pgdn": .pageDown,
            "home": .home, "end": .end, "enter": .enter, "esc": .escape, "tab": .tab, "shift-tab": .backTab,
            "backspace": .backspace, "delete": .delete, "ctrl-space": .ctrlSpace,
        ]
        if name.count == 1, let c = name.first { self = .char(c); return }
        let lower = name.lowercased()
        if let k = named[lower] { self = k; return }
        if lower.hasPrefix("ctrl-"), lower.count == 6, let c = lower.last, c.isASCII, c.isLetter {
            self = .ctrl(c)
            return
        }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...12).contains(n) { self = .function(n); return }
        if lower.hasPrefix("alt-"), name.count == 5, let c = name.last { self = .alt(c); return }
        return nil
    }
}
