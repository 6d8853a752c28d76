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
        /// Asking a new flow's title (then its first use case's).
        case flowTitle(LineEditor)
        case help(scroll: Int)
        case confirmQuit
        /// Another editor holds the file: open it read-only, edit anyway, or quit.
        case locked(LockOwner, then: RecoveryFile?)
        /// Unsaved changes were found for this file: recover, show the difference, or discard.
        case recoveryOffer(RecoveryFile)
        /// The difference between the file and its recovery file.
        case recoveryDiff(RecoveryFile, lines: [LineDiff.Line], scroll: Int)
        /// The rest of a large file did not read: its mistakes, and q to quit.
        case loadFailed(path: String, errors: [String])
    }

    /// Where the recovery file stands (docs/RELIABILITY.md): written within a second of a change.
    public struct Recovery: Equatable, Sendable {
        /// A timer is running that will write (or remove) the recovery file.
        public var armed = false
        /// What the recovery file holds now: the revision and the label being typed then.
        public var written: Snapshot?
        /// A recovery file of this editor's is on disk.
        public var exists = false
        /// The last write failed (said once, not on every try).
        public var failing = false
        /// This editor recovered the file's unsaved changes: the recovery file stays until they
        /// are saved or dropped on purpose, even when undo takes them back.
        public var recovered = false

        public struct Snapshot: Equatable, Sendable {
            public let revision: Int
            public let typing: Typing?
        }
    }

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
        /// At the end of an extension with no ending yet, the endings offered among the candidates (by their text).
        public var endings: [EndingOffer] = []

        /// The ending the shown candidate stands for, if it is one.
        public var shownEnding: EndingOffer? {
            guard index < candidates.count else { return nil }
            return endings.first { $0.text == candidates[index] }
        }
    }

    /// An edit of one label in place.
    public struct EditSession: Equatable, Sendable {
        public var editor: LineEditor
        public let target: NodeID
        /// The insertion that made the row for this edit: cancelling removes the row again.
        public let inserted: Transaction?
        /// Where the cursor was before the edit began, to go back to when the new row is dropped.
        public let origin: NodeID?
        /// The last change made the row this edit names (a step indented into a new extension,
        /// whose condition is asked for): left empty, by Esc or an empty Enter, it is undone.
        public var undoneIfEmpty = false
    }

    public struct Message: Equatable, Sendable {
        public enum Kind: Sendable { case info, error }
        public let text: String
        public let kind: Kind
    }

    public var flow: Flow
    /// The key hints and messages name for an action, as the user's config binds it ("?" for
    /// help, or F2 when help is bound to F2); the action's name when nothing is bound to it.
    public func key(_ action: Action) -> String { bindings.hintKey(action) ?? action.rawValue }

    /// The language of the words flowsmith shows as the document's own (endings, markers).
    public var wording: Wording { drawnWording ?? flow.effectiveWording }
    /// The wording as `Render.screen` found it for the frame it draws (looked up once a frame,
    /// not once a row).
    var drawnWording: Wording?
    public var history = History()
    public var path: String?
    public var cursor: NodeID?
    public var top: NodeID?
    public var folded: Set<NodeID> = []
    public var mode: Mode = .normal
    public var pending: [Key] = []
    public var message: Message?
    public var clipboard: Clip?
    public var lastSearch: String?
    /// What the file on disk looked like when it was opened or last saved, so a save never
    /// overwrites changes someone else made in the meantime.
    public var diskStamp: TextFile.Stamp?
    public var searchShown = false
    /// The match the cursor was on and how many there were ("3/12" on the status bar while the
    /// cursor stays on that match).
    public var searchPosition: (node: NodeID, index: Int, total: Int, revision: Int)?
    /// The matches of the kept search in document order, and each one's number, for the flow
    /// as it was at `revision` (found once, not at every n).
    public var searchMatches: (query: String, revision: Int, ids: [NodeID], index: [NodeID: Int])?
    public var showDetail = false
    public var suggestions: Suggestions?
    /// The last key accepted a suggestion and nothing has happened since: the accepting key
    /// pressed again is taken as one press too many, not as its editing action (Tab would
    /// otherwise indent the step just accepted into a new, empty extension).
    public var justAccepted = false
    /// An automatic request waiting for its debounce timer.
    public var delayedRequest: Job?
    /// The file is open read-only (another editor has it): nothing can change it.
    public var readOnly = false
    /// Only the head of a large file is shown yet; the rest is being read (nothing can change it
    /// until then).
    public var loading: String?
    public var recovery = Recovery()
    /// The detail pane's contents, computed when the flow, the use case or the format changes,
    /// never on every frame.
    public var detailCache: DetailCache?
    /// The detail data asked for and not yet arrived.
    public var detailWanted: DetailCache.Key?
    public var nextRequest = 1
    /// How many candidates to ask for.
    public var suggestionCount = 3
    /// Ask for the next step by itself after a new step is added (config `auto-suggest = on`).
    public var autoSuggest = false
    /// Advances while a request is in flight, for the spinner.
    public var spinner = 0
    /// Set when "save and quit" was chosen: quit once the save is confirmed.
    public var quitAfterSave = false
    /// What the detail pane shows of the use case: the drawn diagram first, `t` cycles the sources.
    public var preview: ExportFormat = .text
    /// Draw the diagram with ASCII only (the terminal's locale is not UTF-8).
    public var asciiDiagram = false
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


extension AppState {
    /// A new, empty file: ask its title first, then its first use case's.
    public mutating func startNewFlow() {
        mode = .flowTitle(LineEditor())
        say("A new flow: type its title and press Enter (Esc skips), then name its first use case")
    }
}

extension AppState {
    /// What `yy` copied or `dd` cut: the rows, and where their extensions resumed outside them
    /// (`Flow.resumePlaces`), taken while they were still in the flow.
    public struct Clip: Hashable, Sendable {
        public var tree: Subtree
        public var places: [NodeID: Int]

        public init(_ tree: Subtree, in flow: Flow) {
            self.tree = tree
            self.places = flow.resumePlaces(of: tree)
        }
    }
}
