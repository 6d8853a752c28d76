/// Everything the user can ask for with a key.
public enum Action: String, CaseIterable, Sendable {
    case moveDown = "move-down", moveUp = "move-up", pageDown = "page-down", pageUp = "page-up"
    case firstRow = "first-row", lastRow = "last-row", parentOrFold = "left", childOrUnfold = "right"
    case previousUseCase = "previous-use-case", nextUseCase = "next-use-case", commandLine = "command-line"
    case toggleFold = "toggle-fold", foldAll = "fold-all", unfoldAll = "unfold-all", foldToDepth = "fold-to-depth"
    case addAfter = "add-step-after", addBefore = "add-step-before", editLabel = "edit"
    case addExtension = "add-extension", setEnding = "set-ending", toggleKind = "toggle-exception"
    case addUseCase = "add-use-case", delete, yank, pasteAfter = "paste-after", pasteBefore = "paste-before"
    case moveNodeDown = "move-down-in-list", moveNodeUp = "move-up-in-list", indent, outdent
    case undo, redo, search, searchNext = "search-next", searchPrevious = "search-previous"
    case save, quit, help, toggleDetail = "toggle-detail", cyclePreview = "cycle-preview", suspend, redraw
    case suggest, suggestConditions = "suggest-conditions"
    case acceptSuggestion = "accept-suggestion", rejectSuggestion = "reject-suggestion"
    case nextSuggestion = "next-suggestion", previousSuggestion = "previous-suggestion"
    case acceptAndContinue = "accept-and-continue"
    // The line editor's own actions (labels, prompts, search), dispatched through the same table.
    case textCommit = "text-commit", textCancel = "text-cancel"
    case textLeft = "text-left", textRight = "text-right", textHome = "text-home", textEnd = "text-end"
    case textBackspace = "text-backspace", textDelete = "text-delete"
    case textKillToEnd = "text-kill-to-end", textKillToStart = "text-kill-to-start", textKillWord = "text-kill-word"
}

extension Action {
    /// Actions that change the flow: refused while the file is open read-only.
    public var changesFlow: Bool {
        switch self {
        case .addAfter, .addBefore, .editLabel, .addExtension, .setEnding, .toggleKind, .addUseCase, .delete,
             .pasteAfter, .pasteBefore, .moveNodeDown, .moveNodeUp, .indent, .outdent, .undo, .redo,
             .acceptSuggestion, .acceptAndContinue:
            return true
        default:
            return false
        }
    }
}

/// Where a binding applies.
public enum BindingContext: String, Sendable {
    case tree = "In the tree", suggestion = "While suggestions show", text = "While editing text"
}

/// One row of the binding table: keys, what they do, and the help text.
public struct Binding: Sendable, Equatable {
    public var action: Action
    public var keys: [[Key]]
    public let group: String
    public let help: String
    public let context: BindingContext

    init(_ action: Action, _ keys: [[Key]], _ group: String, _ help: String, _ context: BindingContext = .tree) {
        self.action = action
        self.keys = keys
        self.group = group
        self.help = help
        self.context = context
    }
}

/// The one binding table: it drives dispatch, the `?` overlay and docs/keys.md.
public struct Bindings: Sendable, Equatable {
    public private(set) var table: [Binding]

    static func k(_ s: String) -> [Key] { s.map { Key.char($0) } }

    public static let defaults = Bindings(table: [
        Binding(.moveDown, [k("j"), [.down]], "Move", "next row"),
        Binding(.moveUp, [k("k"), [.up]], "Move", "previous row"),
        Binding(.pageDown, [[.pageDown], [.ctrl("d")]], "Move", "a page down"),
        Binding(.pageUp, [[.pageUp], [.ctrl("u")]], "Move", "a page up"),
        Binding(.firstRow, [k("g"), [.home]], "Move", "first row"),
        Binding(.lastRow, [k("G"), [.end]], "Move", "last row"),
        Binding(.parentOrFold, [k("h"), [.left]], "Move", "fold, or go to the parent"),
        Binding(.childOrUnfold, [k("l"), [.right]], "Move", "unfold, or go to the first child"),
        Binding(.previousUseCase, [k("[")], "Move", "previous use case"),
        Binding(.nextUseCase, [k("]")], "Move", "next use case"),
        Binding(.commandLine, [k(":")], "Move", "command line: :2 3a1 jumps, :w saves, :q quits"),
        Binding(.toggleFold, [k(" "), k("za")], "Fold", "fold or unfold the row"),
        Binding(.foldAll, [k("zM")], "Fold", "fold everything"),
        Binding(.unfoldAll, [k("zR")], "Fold", "unfold everything"),
        Binding(.foldToDepth, (1...9).map { k(String($0)) }, "Fold", "show only N levels"),
        Binding(.addAfter, [k("o"), [.enter]], "Edit", "add a step after and edit it"),
        Binding(.addBefore, [k("O")], "Edit", "add a step before and edit it"),
        Binding(.editLabel, [k("e"), k("i")], "Edit", "edit the text in place"),
        Binding(.addExtension, [k("x")], "Edit", "add an extension (3a) to the step"),
        Binding(.setEnding, [k("E")], "Edit", "set an extension's ending: next, success, failure or a step (the current one is offered selected: typing replaces it)"),
        Binding(.toggleKind, [k("!")], "Edit", "mark an extension as exception or alternative"),
        Binding(.addUseCase, [k("N")], "Edit", "add a use case (N is previous match while a search shows)"),
        Binding(.delete, [k("dd")], "Edit", "delete the row and everything under it"),
        Binding(.yank, [k("yy")], "Edit", "copy the row and everything under it"),
        Binding(.pasteAfter, [k("p")], "Edit", "paste after (an extension pasted into another use case resumes as far from its step as before)"),
        Binding(.pasteBefore, [k("P")], "Edit", "paste before"),
        Binding(.moveNodeDown, [k("J"), [.shiftDown]], "Edit", "move down among its siblings"),
        Binding(.moveNodeUp, [k("K"), [.shiftUp]], "Edit", "move up among its siblings"),
        Binding(.indent, [[.tab]], "Edit", "make the step a step of an extension of the step above"),
        Binding(.outdent, [[.backTab]], "Edit", "move an extension step out, after its step"),
        Binding(.undo, [k("u")], "Edit", "undo"),
        Binding(.redo, [[.ctrl("r")]], "Edit", "redo"),
        Binding(.search, [k("/")], "Search", "search as you type"),
        Binding(.searchNext, [k("n")], "Search", "next match"),
        Binding(.searchPrevious, [], "Search", "previous match: N while a search shows"),
        Binding(.suggest, [[.ctrlSpace], k("s")], "Suggest", "suggest the next step here (a whole scenario for an empty use case)"),
        Binding(.suggestConditions, [k("S")], "Suggest", "suggest what can go wrong at this step (extension conditions)"),
        Binding(.acceptSuggestion, [[.tab], [.right]], "Suggest", "accept the shown suggestion (one undo step); while they load, or pressed again just after, it edits nothing", .suggestion),
        Binding(.rejectSuggestion, [[.escape]], "Suggest", "dismiss the suggestions", .suggestion),
        Binding(.nextSuggestion, [[.ctrl("n")], [.alt("]")]], "Suggest", "show the next candidate", .suggestion),
        Binding(.previousSuggestion, [[.ctrl("p")], [.alt("[")]], "Suggest", "show the previous candidate", .suggestion),
        Binding(.acceptAndContinue, [k("A")], "Suggest", "accept, then suggest the step after it (at the end of an extension with no ending yet, its endings too)", .suggestion),
        Binding(.save, [[.ctrl("s")]], "File", "save (also :w, :w NAME); while typing a label, keeps it and saves"),
        Binding(.quit, [k("q"), [.ctrl("c")]], "File", "quit, asking first if there are unsaved changes"),
        Binding(.help, [k("?"), [.function(1)]], "View", "this help"),
        Binding(.toggleDetail, [k("v")], "View", "show or hide the detail pane"),
        Binding(.cyclePreview, [k("t")], "View", "detail pane: the diagram, or its Mermaid, DOT or Robot Framework source"),
        Binding(.suspend, [[.ctrl("z")]], "View", "suspend to the shell (fg to come back)"),
        Binding(.redraw, [[.ctrl("l")]], "View", "redraw the screen"),
        Binding(.textCommit, [[.enter]], "Text", "keep the text (one undo step), or answer the prompt", .text),
        Binding(.textCancel, [[.escape], [.ctrl("c")], [.ctrl("g")]], "Text", "cancel", .text),
        Binding(.textLeft, [[.left], [.ctrl("b")]], "Text", "one character left", .text),
        Binding(.textRight, [[.right], [.ctrl("f")]], "Text", "one character right", .text),
        Binding(.textHome, [[.home], [.ctrl("a")]], "Text", "start of the line", .text),
        Binding(.textEnd, [[.end], [.ctrl("e")]], "Text", "end of the line", .text),
        Binding(.textBackspace, [[.backspace], [.ctrl("h")]], "Text", "delete the character before the cursor", .text),
        Binding(.textDelete, [[.delete], [.ctrl("d")]], "Text", "delete the character at the cursor", .text),
        Binding(.textKillToEnd, [[.ctrl("k")]], "Text", "delete to the end of the line", .text),
        Binding(.textKillToStart, [[.ctrl("u")]], "Text", "delete to the start of the line", .text),
        Binding(.textKillWord, [[.ctrl("w")]], "Text", "delete a word back (stops at Chinese punctuation)", .text),
    ])

    /// Actions whose keys carry their meaning (the digit of `1` … `9` is the depth), so they
    /// cannot be moved to other keys: the config file refuses to.
    public static let fixedKeys: Set<Action> = [.foldToDepth]

    /// The action bound to exactly this key sequence in the tree, if any.
    public func action(for keys: [Key]) -> Action? {
        table.first { $0.context == .tree && $0.keys.contains(keys) }?.action
    }

    /// The line editor's action bound to this key, if any.
    public func textAction(for key: Key) -> Action? {
        table.first { $0.context == .text && $0.keys.contains([key]) }?.action
    }

    /// The suggestion action bound to this key, if any.
    public func suggestionAction(for key: Key) -> Action? {
        table.first { $0.context == .suggestion && $0.keys.contains([key]) }?.action
    }

    /// True when some tree binding starts with this sequence and is longer.
    public func isPrefix(_ keys: [Key]) -> Bool {
        table.contains { $0.context == .tree && $0.keys.contains { $0.count > keys.count && Array($0.prefix(keys.count)) == keys } }
    }

    /// The key a hint or message names for an action, as the user's config binds it: its first
    /// one-character key ("s" rather than Ctrl-Space, "?" rather than F1), else its first key;
    /// nil when none is bound.
    public func hintKey(_ action: Action) -> String? {
        let names = table.first { $0.action == action }?.keys.map(Self.name) ?? []
        return names.first { $0.count == 1 } ?? names.first
    }

    /// Replaces the keys of an action (from the config file).
    public mutating func rebind(_ action: Action, to keys: [[Key]]) {
        for i in table.indices where table[i].action == action { table[i].keys = keys }
    }

    /// A key sequence as written in help and config: `dd`, `Ctrl-R`, `za`.
    public static func name(_ keys: [Key]) -> String {
        keys.allSatisfy({ if case .char(let c) = $0 { return c != " " } else { return false } })
            ? keys.map(\.description).joined() : keys.map(\.description).joined(separator: " ")
    }

    /// Several sequences for help: `j, Down`; a long run as `1 … 9`.
    public static func names(_ keys: [[Key]]) -> String {
        let all = keys.map(name)
        guard all.count > 4, let first = all.first, let last = all.last else { return all.joined(separator: ", ") }
        return first + " … " + last
    }

    /// Reads `dd`, `Ctrl-R` or `z a` back into keys. Something that looks like a key name but is
    /// none (`F13`, `Ctrl-AB`, `Pgdn`) is refused, not read as a run of characters.
    public static func parse(_ text: String) -> [Key]? {
        if let k = Key(name: text) { return [k] }
        // A word meant as one key's name is refused, not read as characters to press in turn
        // ("dd", "zM", "ZZ"): one with a dash (Ctrl-1), a capital before small letters or
        // digits (Pgdn, F13), a letter before digits (f13), or three capitals or more (SPACEBAR).
        if text.count > 1, !text.contains(" "), text.contains("-")
            || text.first?.isUppercase == true && text.dropFirst().contains(where: { $0.isNumber || $0.isLowercase })
            || text.first?.isLetter == true && text.dropFirst().contains(where: { $0.isNumber })
            || text.count >= 3 && text.allSatisfy({ $0.isUppercase }) {
            return nil
        }
        if text.contains(" ") { 
            let parts = text.split(separator: " ").map { Key(name: String($0)) }
            return parts.contains(nil) ? nil : parts.compactMap { $0 }
        }
        return text.isEmpty ? nil : text.map { Key.char($0) }
    }

    /// The key reference as Markdown: docs/keys.md is this text.
    public func markdown() -> String {
        var out = "# Keys\n\nGenerated from the binding table (`flowsmith keys` prints it); keys can be changed in the\nconfig file (CONFIG.md).\n"
        for context in [BindingContext.tree, .suggestion, .text] {
            out += "\n## \(context.rawValue)\n\n| keys | action | what it does |\n|---|---|---|\n"
            for b in table where b.context == context {
                let keys = b.keys.map { "`" + Self.name($0) + "`" }.joined(separator: ", ")
                out += "| \(keys.isEmpty ? "—" : keys) | `\(b.action.rawValue)` | \(b.help) |\n"
            }
        }
        out += "\n## Commands (after `:`)\n\n| command | what it does |\n|---|---|\n"
        for c in Commands.reference { out += "| `\(c.command)` | \(c.help) |\n" }
        return out
    }
}
