import FlowCore
import FlowFormats
import FlowSuggest

/// Everything the editor knows at one moment. `update` changes it; `render` draws it.
public struct AppState: Sendable {
    public enum Mode: Equatable, Sendable {
        case normal
        /// Editing a label in place.
        case editing(EditSession)
        case command(LineEditor)
        case search(LineEditor, origin: NodeID?)
        /// Asking for an extension's ending.
        case ending(LineEditor, target: NodeID)
        case help(scroll: Int)
        case confirmQuit
    }

    public enum Preview: String, Sendable { case mermaid, dot }

    /// Suggestions asked for at the cursor, shown as ghost rows until accepted or dismissed.
    public struct Suggestions: Equatable, Sendable {
        public let id: Int
        /// The history revision the request was built on: if the flow changed since, they are dropped.
        public let revision: Int
        public let point: InsertionPoint
        /// The row the ghost rows follow.
        public let anchor: NodeID
        public var candidates: [String] = []
        public var index = 0
        public var loading = true
        /// Accept-and-continue: ask again after the accepted step.
        public var chain = false
    }

    /// An edit of one label in place.
    public struct EditSession: Equatable, Sendable {
        public var editor: LineEditor
        public let target: NodeID
        /// The insertion that made the row for this edit: cancelling removes the row again.
        public let inserted: Transaction?
        /// Where the cursor was before the edit began, to go back to when the new row is dropped.
        public let origin: NodeID?
    }

    public struct Message: Equatable, Sendable {
        public enum Kind: Sendable { case info, error }
        public let text: String
        public let kind: Kind
    }

    public var flow: Flow
    public var history = History()
    public var path: String?
    public var cursor: NodeID?
    public var top: NodeID?
    public var folded: Set<NodeID> = []
    public var mode: Mode = .normal
    public var pending: [Key] = []
    public var message: Message?
    public var clipboard: Subtree?
    public var lastSearch: String?
    /// What the file on disk looked like when it was opened or last saved, so a save never
    /// overwrites changes someone else made in the meantime.
    public var diskStamp: TextFile.Stamp?
    public var searchShown = false
    public var showDetail = false
    public var suggestions: Suggestions?
    public var nextRequest = 1
    /// How many candidates to ask for.
    public var suggestionCount = 3
    /// Ask for the next step by itself after a new step is added (config `auto-suggest = on`).
    public var autoSuggest = false
    /// Advances while a request is in flight, for the spinner.
    public var spinner = 0
    /// Set when "save and quit" was chosen: quit once the save is confirmed.
    public var quitAfterSave = false
    public var preview: Preview = .mermaid
    public var width: Int
    public var height: Int
    public var theme: Theme
    public var bindings: Bindings

    public init(flow: Flow, path: String?, width: Int = 80, height: Int = 24,
                theme: Theme = .fallback, bindings: Bindings = .defaults) {
        self.flow = flow
        self.path = path
        self.width = width
        self.height = height
        self.theme = theme
        self.bindings = bindings
        cursor = flow.useCases.first
        top = cursor
    }

    public var rows: Rows { Rows(flow, folded: folded) }

    /// Rows the tree pane shows (the screen less the status line, less the detail pane below it on narrow screens).
    public var treeHeight: Int {
        let h = max(0, height - 1)
        return showDetail && !detailOnRight ? h - h / 3 : h
    }

    public var detailOnRight: Bool { width >= 80 }

    public var isModified: Bool { history.isModified }

    /// "UC 2 · 3a1" for the status bar.
    public var position: String {
        guard let c = cursor, let uc = flow.useCase(of: c), let ucNumber = flow.number(of: uc) else { return "empty" }
        if c == uc { return "UC \(ucNumber)" }
        return "UC \(ucNumber) · \(flow.number(of: c) ?? "?")"
    }

    public mutating func say(_ text: String) { message = Message(text: Sanitize.line(text), kind: .info) }
    public mutating func fail(_ text: String) { message = Message(text: Sanitize.line(text), kind: .error) }
}

/// What happened: keys, a resize, the result of a file operation.
public enum Msg: Equatable, Sendable {
    case key(Key)
    case paste(String)
    case resized(width: Int, height: Int)
    case clicked(x: Int, y: Int)
    case scrolled(lines: Int)
    case saved(path: String, revision: Int, stamp: TextFile.Stamp?)
    case saveFailed(String)
    case exported(path: String)
    case exportFailed(String)
    case opened(path: String, text: String, stamp: TextFile.Stamp?)
    case openFailed(String)
    case suggestionsArrived(id: Int, candidates: [String], done: Bool)
    case suggestionsFailed(id: Int, message: String)
    /// Time passed while something is in flight (drives the spinner).
    case ticked
    /// Background work has something to tell the user (e.g. it fell back to the local model).
    case noticed(String)
}

/// What the shell must do; `update` never does input or output itself.
public enum Effect: Equatable, Sendable {
    /// Writes the file unless what is on disk differs from `expected` (nil: nothing may be there)
    /// and `force` is false.
    case save(path: String, text: String, revision: Int, expected: TextFile.Stamp?, force: Bool)
    case export(path: String, text: String)
    case open(path: String)
    case quit
    case suspend
    case redraw
    /// Ask an engine, on a worker, for suggestions; results come back as `suggestionsArrived`.
    /// `delay` debounces automatic requests: a key pressed meanwhile cancels it before it is sent.
    case requestSuggestions(id: Int, context: SuggestionContext, count: Int, delay: Duration = .zero)
    case cancelSuggestions(id: Int)
}
