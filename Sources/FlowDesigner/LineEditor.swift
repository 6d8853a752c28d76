import FlowFormats
/// The one-line text editor used for labels, prompts and search: the cursor moves by grapheme
/// cluster, so 系, é and 👩‍💻 are each one step, and Backspace never leaves half a character.
public struct LineEditor: Equatable, Sendable {
    public private(set) var text: [Character]
    /// Cursor position in characters, 0…text.count.
    public private(set) var cursor: Int

    /// The text is an answer offered whole (the current ending at `E`): the first character
    /// typed or pasted, Backspace or a kill replaces all of it; a cursor move keeps it to edit.
    public private(set) var selected = false

    public init(_ text: String = "", selected: Bool = false) {
        self.text = Array(text)
        cursor = self.text.count
        self.selected = selected && !self.text.isEmpty
    }

    public var string: String { String(text) }

    public enum Outcome: Equatable, Sendable { case edited, moved, commit, cancel, ignored }

    /// Applies a key: the action the binding table gives it (`Bindings.textAction`), or else a
    /// typed character. Says whether the text changed, the cursor moved, or the edit ends.
    public mutating func handle(_ key: Key, _ bindings: Bindings) -> Outcome {
        if let action = bindings.textAction(for: key) { return perform(action) }
        switch key {
        case .char(let c):
            insert(String(c))
            return .edited
        case .tab:
            insert(" ")
            return .edited
        default:
            return .ignored
        }
    }

    /// Does one of the line editor's actions.
    public mutating func perform(_ action: Action) -> Outcome {
        if selected {
            selected = false
            switch action {
            case .textBackspace, .textDelete, .textKillToEnd, .textKillToStart, .textKillWord:
                text = []
                cursor = 0
                return .edited
            default: break
            }
        }
        switch action {
        case .textCommit: return .commit
        case .textCancel: return .cancel
        case .textLeft: return move(to: cursor - 1)
        case .textRight: return move(to: cursor + 1)
        case .textHome: return move(to: 0)
        case .textEnd: return move(to: text.count)
        case .textBackspace:
            guard cursor > 0 else { return .ignored }
            text.remove(at: cursor - 1)
            cursor -= 1
            return .edited
        case .textDelete:
            guard cursor < text.count else { return .ignored }
            text.remove(at: cursor)
            return .edited
        case .textKillToEnd:
            guard cursor < text.count else { return .ignored }
            text.removeSubrange(cursor...)
            return .edited
        case .textKillToStart:
            guard cursor > 0 else { return .ignored }
            text.removeSubrange(..<cursor)
            cursor = 0
            return .edited
        case .textKillWord:
            return deleteWordBackward()
        default:
            return .ignored
        }
    }

    /// Inserts text at the cursor (typed or pasted); line breaks and controls become spaces.
    /// Characters are regrouped afterwards, so a combining mark typed after "e" makes one "é".
    public mutating func insert(_ s: String) {
        if selected {
            selected = false
            text = []
            cursor = 0
        }
        let clean = String(String.UnicodeScalarView(s.unicodeScalars.map { u in
            u.value < 0x20 || (0x7F...0x9F).contains(u.value) ? " " : u
        }))
        let before = String(text[..<cursor]) + clean
        text = Array(before + String(text[cursor...]))
        cursor = min(text.count, Array(before).count)
    }

    private mutating func move(to position: Int) -> Outcome {
        let p = min(max(0, position), text.count)
        guard p != cursor else { return .ignored }
        cursor = p
        return .moved
    }

    /// Deletes back to the start of a word: spaces first, then letters and digits, or else one
    /// run of punctuation (so in 用户名、密码 it takes 密码, then 、).
    private mutating func deleteWordBackward() -> Outcome {
        guard cursor > 0 else { return .ignored }
        var start = cursor
        while start > 0, text[start - 1].isWhitespace { start -= 1 }
        let wordy = { (c: Character) in c.isLetter || c.isNumber || c == "_" }
        if start > 0, wordy(text[start - 1]) {
            while start > 0, wordy(text[start - 1]) { start -= 1 }
        } else {
            while start > 0, !wordy(text[start - 1]), !text[start - 1].isWhitespace { start -= 1 }
        }
        text.removeSubrange(start..<cursor)
        cursor = start
        return .edited
    }

    /// Display columns before the cursor, for placing the terminal cursor.
    public var cursorColumn: Int { DisplayWidth.of(String(text[..<cursor])) }
}
