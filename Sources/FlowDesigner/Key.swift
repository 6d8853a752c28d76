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

    /// Reads a key name as written in a config file; the inverse of `description`.
    public init?(name: String) {
        let named: [String: Key] = [
            "Space": .char(" "), "Up": .up, "Down": .down, "Left": .left, "Right": .right,
            "Shift-Up": .shiftUp, "Shift-Down": .shiftDown, "PgUp": .pageUp, "PgDn": .pageDown,
            "Home": .home, "End": .end, "Enter": .enter, "Esc": .escape, "Tab": .tab, "Shift-Tab": .backTab,
            "Backspace": .backspace, "Delete": .delete, "Ctrl-Space": .ctrlSpace,
        ]
        if let k = named[name] { self = k; return }
        if name.hasPrefix("Ctrl-"), name.count == 6, let c = name.last {
            self = .ctrl(Character(c.lowercased()))
            return
        }
        if name.hasPrefix("F"), let n = Int(name.dropFirst()), (1...12).contains(n) { self = .function(n); return }
        if name.hasPrefix("Alt-"), name.count == 5, let c = name.last { self = .alt(c); return }
        if name.count == 1, let c = name.first { self = .char(c); return }
        return nil
    }
}
