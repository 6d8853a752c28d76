import FlowCore
import FlowDesigner
import FlowFormats
import FlowSuggest
import Foundation
import Glibc
import Synchronization

/// Carries out jobs off the loop's thread and posts their results to the inbox as messages.
/// Jobs of one lane (files, recovery) run in order on that lane's own thread; suggestions and
/// detail-pane jobs each get a thread. Every worker thread is started with all signals blocked,
/// so SIGWINCH, SIGHUP and SIGTERM always reach the loop's thread (where poll() wakes for them).
final class Runner: Sendable {
    let inbox: Inbox
    let services: Services
    private let files = Lane()
    private let recovery = Lane()
    /// Ids of cancelled jobs still running; an id leaves the set when its job ends.
    private let cancelled = CancelledJobs()
    private let running = Mutex<Int>(0)

    /// What jobs need from the outside world.
    struct Services: Sendable {
        var engine: LazyEngine?
        var documents: DocumentFiles?
    }

    init(inbox: Inbox, services: Services) {
        self.inbox = inbox
        self.services = services
    }

    deinit {
        files.stop()
        recovery.stop()
    }

    var busy: Bool { running.withLock { $0 > 0 } }

    func start(_ job: Job) {
        running.withLock { $0 += 1 }
        let work: @Sendable () -> Void = { [self] in
            defer {
                if let id = job.id { cancelled.forget(id) }
                running.withLock { $0 -= 1 }
            }
            let id = job.id
            let isCancelled: @Sendable () -> Bool = { [cancelled] in id.map(cancelled.contains) ?? false }
            let results = Self.perform(job, services, isCancelled: isCancelled, partial: { [inbox] msg in
                if !isCancelled() { inbox.post(msg) }
            })
            if !isCancelled() { for msg in results { inbox.post(msg) } }
        }
        switch job.lane {
        case .files:
            // A file is opened only after the recovery files asked to go have gone (`:e!` drops
            // the unsaved changes and their recovery file, then opens): else the open could find
            // the file it was about to lose and offer back what the user had just dropped.
            if case .open = job {
                files.add { [recovery] in
                    recovery.waitUntilIdle()
                    work()
                }
            } else {
                files.add(work)
            }
        case .recovery: recovery.add(work)
        case .concurrent: Self.spawn(work)
        }
    }

    /// Does a job on the calling thread and returns its results (the last write before exiting).
    func runNow(_ job: Job) -> [Msg] {
        Self.perform(job, services, isCancelled: { false }, partial: { _ in })
    }

    func cancel(_ id: Int) {
        cancelled.insert(id)
    }

    /// Waits until the file and recovery lanes have done what they were given (before quitting).
    func drain() {
        files.waitUntilIdle()
        recovery.waitUntilIdle()
    }

    /// Starts a thread with every signal blocked (a new thread takes its mask from the one that
    /// starts it, so the mask is set around the start, then put back).
    static func spawn(_ body: @escaping @Sendable () -> Void) {
        var all = sigset_t(), old = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &old)
        Thread { body() }.start()
        pthread_sigmask(SIG_SETMASK, &old, nil)
    }

    /// The work itself: input and output, never the state or the terminal.
    static func perform(_ job: Job, _ services: Services, isCancelled: @escaping @Sendable () -> Bool,
                        partial: @escaping @Sendable (Msg) -> Void) -> [Msg] {
        switch job {
        case .save(let r):
            // What no :w! could write is said as it is. (A FIFO would hold the editor until
            // something read it, and a device keeps no flow.)
            var st = stat()
            if stat(r.path, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    return [.saveFailed("\(r.path) is a directory: give a file name (:w \(r.path.hasSuffix("/") ? r.path : r.path + "/")NAME.flow.md)")]
                }
                if let what = TextFile.special(st.st_mode) {
                    return [.saveFailed("\(r.path) is \(what), not a file: the editor writes flow files (flowsmith export writes into pipes)")]
                }
            }
            if !r.force, case let now = TextFile.stamp(r.path), now != r.expected {
                return [.saveFailed(r.expected == nil
                    ? "\(r.path) already exists: :w! \(r.path) replaces it"
                    : now == nil ? "\(r.path) was deleted or moved away since it was read: :w! writes it again"
                    : "\(r.path) changed on disk since it was read: :w! overwrites it, :e! \(r.path) reloads it")]
            }
            do {
                // The file keeps its line ends and byte-order mark (TextForm).
                let text = TextForm.ofFile(r.path).apply(FlowMarkdownWriter.write(r.flow))
                let written = try TextFile.write(text, to: r.path, overProtection: r.force)
                let target = written.target != r.path && written.method != .stream ? written.target : nil
                return [.saved(Saved(path: r.path, revision: r.revision, stamp: TextFile.stamp(r.path),
                                     problems: r.flow.validate().count, target: target))]
            } catch {
                return [.saveFailed(error.description + (error.writeProtected ? ": :w! writes it anyway" : ""))]
            }
        case .export(let r):
            if let refusal = TextFile.exportRefusal(r.path, source: r.document, replace: { _ in r.replace },
                                                    howToReplace: ":export! \(r.format.rawValue) \(r.path)") {
                return [.exportFailed(refusal)]
            }
            do {
                let text = r.format.render(r.flow)
                try TextFile.write(text, to: r.path, overProtection: r.replace)
                return [.exported(path: r.path, note: r.format == .mermaid ? MermaidWriter.tooLargeToDraw(text) : nil)]
            } catch {
                return [.exportFailed(error.description + (error.writeProtected ? ": :export! \(r.format.rawValue) \(r.path) writes it anyway" : ""))]
            }
        case .load(let path, let bytes):
            let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes, file: path, limit: 51, positions: false)
            guard errors.isEmpty else { return [.loadFailed(path: path, errors: errors.map(\.description))] }
            return [.loaded(path: path, flow: parsed.flow)]
        case .open(let path, let leaving):
            // Without a state folder (tests): the file alone, with no lock or recovery file.
            guard let documents = services.documents else { return [DocumentFiles.read(path)] }
            let result = documents.open(path)
            if case .opened = result, let leaving, DocumentFiles.canonical(leaving) != DocumentFiles.canonical(path) {
                documents.unlock(leaving)
            }
            return [result]
        case .writeRecovery(let document, var flow, let typing, let revision, let base):
            guard let documents = services.documents else { return [] }
            if let typing, flow.contains(typing.node) { _ = try? flow.apply(.setText(typing.node, typing.text)) }
            do {
                try documents.writeRecovery(FlowMarkdownWriter.write(flow), for: document, base: base)
                return [.recoveryWritten(revision: revision)]
            } catch {
                return [.recoveryFailed(error.description)]
            }
        case .removeRecovery(let document):
            services.documents?.removeRecovery(for: document)
            return []
        case .standAside(let document):
            services.documents?.unlock(document)
            return []
        case .detail(let flow, let key):
            return [.detailComputed(Detail.compute(flow, key))]
        case .suggest(let id, let context, let count):
            guard let engine = services.engine else { return [.suggestionsFailed(id: id, message: "No suggestion engine is set up")] }
            do {
                let e = try engine.get()
                let found = try e.suggest(context, count: count, partial: { candidates in
                    partial(.suggestionsArrived(id: id, candidates: candidates, done: false))
                }, isCancelled: isCancelled)
                return [.suggestionsArrived(id: id, candidates: found, done: true)]
            } catch {
                return [.suggestionsFailed(id: id, message: "\(error)")]
            }
        }
    }
}

/// The ids of cancelled jobs that are still running.
final class CancelledJobs: Sendable {
    private let ids = Mutex<Set<Int>>([])
    func insert(_ id: Int) { _ = ids.withLock { $0.insert(id) } }
    func forget(_ id: Int) { _ = ids.withLock { $0.remove(id) } }
    func contains(_ id: Int) -> Bool { ids.withLock { $0.contains(id) } }
    var count: Int { ids.withLock { $0.count } }
}

/// Jobs done one after another on one thread of their own, started when first needed.
final class Lane: Sendable {
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var started = false
        var busy = false
        var stopping = false
    }
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    func add(_ work: @escaping @Sendable () -> Void) {
        let start = state.withLock { s in
            s.queue.append(work)
            defer { s.started = true }
            return !s.started
        }
        if start { Runner.spawn { [self] in loop() } }
        wake.signal()
    }

    /// Ends the lane's thread once what it was given is done.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
    }

    private func loop() {
        while true {
            wake.wait()
            while let work = state.withLock({ s -> (@Sendable () -> Void)? in
                guard !s.queue.isEmpty else { s.busy = false; return nil }
                s.busy = true
                return s.queue.removeFirst()
            }) {
                work()
            }
            if state.withLock({ $0.stopping && $0.queue.isEmpty }) { return }
        }
    }

    func waitUntilIdle() {
        while state.withLock({ !$0.queue.isEmpty || $0.busy }) { usleep(1_000) }
    }
}
