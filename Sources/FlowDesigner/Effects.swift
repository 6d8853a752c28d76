import FlowCore
import FlowFormats
import FlowSuggest

/// What happened: keys, a resize, a timer, a signal, the result of background work.
/// Facts in the past tense; `update` decides what they mean.
public enum Msg: Equatable, Sendable {
    case key(Key)
    case paste(String)
    /// The terminal changed size (SIGWINCH, as ncurses reports it).
    case resized(width: Int, height: Int)
    case clicked(x: Int, y: Int)
    case scrolled(lines: Int)
    case saved(Saved)
    case saveFailed(String)
    /// `note`: what the user should know of the file written (a diagram too large to draw).
    case exported(path: String, note: String? = nil)
    case exportFailed(String)
    case opened(Opened)
    case openFailed(String)
    /// The whole of a large file, read after its head was shown.
    case loaded(path: String, flow: Flow)
    /// The rest of a large file has mistakes: each as FILE:LINE:COL: message.
    case loadFailed(path: String, errors: [String])
    case detailComputed(DetailCache)
    case recoveryWritten(revision: Int)
    case recoveryFailed(String)
    case suggestionsArrived(id: Int, candidates: [String], done: Bool)
    case suggestionsFailed(id: Int, message: String)
    /// A timer started with `Effect.startTimer` ran out.
    case timerFired(TimerTag)
    /// SIGHUP, SIGTERM, SIGINT or SIGQUIT arrived (the terminal went away, or someone asked us to end).
    case signalled(Int32)
    /// Background work has something to tell the user (e.g. it fell back to the local model).
    case noticed(String)
}

/// What the shell must do; `update` never does input or output itself. Imperatives.
public enum Effect: Equatable, Sendable {
    case quit
    /// Ends the program with this exit status once the terminal is restored (after a signal).
    case exit(status: Int32)
    case suspend
    case redraw
    /// Runs a job on a worker; its result comes back as a message.
    case run(Job)
    /// Runs a job at once, on the loop's thread, before anything else (the last write before exiting).
    case runNow(Job)
    /// Stops a job that is still running (suggestions); its result, if any, is dropped.
    case cancel(jobID: Int)
    /// Posts `.timerFired(tag)` after the delay; starting a tag that is running restarts it.
    case startTimer(TimerTag, after: Duration)
    case cancelTimer(TimerTag)
}

/// Background work as a value: the shell's runner does it off the loop's thread and posts the
/// result as a message. Jobs that touch the same things run one after another (see `lane`).
public enum Job: Equatable, Sendable {
    /// Writes the flow (as `.flow.md`) unless what is on disk differs from `expected` (nil:
    /// nothing may be there) and `force` is false; then counts its problems.
    case save(SaveRequest)
    case export(ExportRequest)
    /// Reads a file, with what the shell knows about it: a recovery file, another editor's lock.
    /// Once it is open, the lock on `leaving` (the file edited until now) is given back.
    case open(path: String, leaving: String?)
    /// Takes back the lock this editor put beside another editor's when it opened `document`
    /// (`open`): it only looks at the document now, so the lock must never pass to it.
    case standAside(document: String?)
    /// Reads the whole of a large file whose head is on screen (its bytes are already read).
    case load(path: String, bytes: [UInt8])
    /// Keeps the recovery file of `document` current: the flow, with a label being typed applied.
    /// (`base`: the file's stamp when the flow was read or saved, which the text is a change of.)
    case writeRecovery(document: String?, flow: Flow, typing: Typing?, revision: Int, base: TextFile.Stamp?)
    /// Removes the recovery file of `document` (after a save, a deliberate quit or a discard).
    case removeRecovery(document: String?)
    /// Asks the suggestion engine; results come back as `suggestionsArrived`.
    case suggest(id: Int, context: SuggestionContext, count: Int)
    /// Computes the detail pane's data for a use case (`Detail.compute`).
    case detail(flow: Flow, key: DetailCache.Key)

    /// Jobs in the same lane run in order, one at a time; `concurrent` ones run side by side.
    public enum Lane: Sendable { case files, recovery, concurrent }

    public var lane: Lane {
        switch self {
        case .save, .export, .open, .load, .standAside: .files
        case .writeRecovery, .removeRecovery: .recovery
        case .suggest, .detail: .concurrent
        }
    }

    /// The id `Effect.cancel` uses, for jobs that can be cancelled.
    public var id: Int? {
        if case .suggest(let id, _, _) = self { return id }
        return nil
    }
}

/// A label being typed, not yet in the flow: the recovery file keeps it too.
public struct Typing: Equatable, Sendable {
    public let node: NodeID
    public let text: String
}

public struct SaveRequest: Equatable, Sendable {
    public let path: String
    public let flow: Flow
    public let revision: Int
    public let expected: TextFile.Stamp?
    public let force: Bool
}

/// `:export FORMAT FILE`: never over the open flow's own file (`document`), and over another
/// existing file only with `replace` (`:export!`).
public struct ExportRequest: Equatable, Sendable {
    public let path: String
    public let flow: Flow
    public let format: ExportFormat
    public let replace: Bool
    public let document: String?
}

public struct Saved: Equatable, Sendable {
    public let path: String
    public let revision: Int
    public let stamp: TextFile.Stamp?
    /// How many problems `flowsmith check` would report (counted on the worker).
    public let problems: Int
    /// The file really written when `path` is a symlink.
    public let target: String?

    public init(path: String, revision: Int, stamp: TextFile.Stamp?, problems: Int = 0, target: String? = nil) {
        self.path = path
        self.revision = revision
        self.stamp = stamp
        self.problems = problems
        self.target = target
    }
}

/// A file read (and parsed, off the loop's thread) for the editor, with what was found beside it.
public struct Opened: Equatable, Sendable {
    public let path: String
    public let flow: Flow
    /// Nothing was there: a new file.
    public let isNew: Bool
    public let stamp: TextFile.Stamp?
    public let recovery: RecoveryFile?
    public let lock: LockOwner?

    public init(path: String, flow: Flow, isNew: Bool, stamp: TextFile.Stamp?, recovery: RecoveryFile? = nil, lock: LockOwner? = nil) {
        self.path = path
        self.flow = flow
        self.isNew = isNew
        self.stamp = stamp
        self.recovery = recovery
        self.lock = lock
    }
}

/// Unsaved changes left by an editor that ended without saving (a dropped connection, a signal).
public struct RecoveryFile: Equatable, Sendable {
    /// Where the recovery file is, to name it in messages.
    public let path: String
    public let text: String
    /// When it was written, as a person reads it ("2026-11-30 06:41").
    public let written: String
    /// The file on disk changed after these changes were made (another program, another
    /// editor's save, a checkout): recovering puts them over what changed.
    public let changedSince: Bool

    public init(path: String, text: String, written: String, changedSince: Bool = false) {
        self.path = path
        self.text = text
        self.written = written
        self.changedSince = changedSince
    }
}

/// Another editor that has the file open.
public struct LockOwner: Equatable, Sendable {
    public let pid: Int32
    public let host: String
    public let since: String

    public init(pid: Int32, host: String, since: String) {
        self.pid = pid
        self.host = host
        self.since = since
    }
}

/// Names of timers; one of each runs at a time.
public enum TimerTag: Hashable, Sendable {
    /// Write the recovery file (within a second of a change).
    case recovery
    /// Moves the spinner while suggestions are on their way.
    case spinner
    /// Sends a debounced automatic suggestion request.
    case autoSuggest(id: Int)
}
