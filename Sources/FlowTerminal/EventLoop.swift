import Foundation
import FlowCore
import FlowDesigner
import FlowFormats
import FlowSuggest
import Glibc

/// The one loop that owns the state and the terminal: wait for input, a worker's result, a timer
/// or a signal; run `update` for each message; carry out the effects; draw once.
///
/// Everything asynchronous goes through three doors, so a new feature needs no new plumbing
/// (docs/ARCHITECTURE.md shows one added): `update` returns `.run(job)` and the `Runner` posts the
/// job's result back as a message; `.startTimer(tag, after:)` comes back as `.timerFired(tag)`;
/// signals come in as `.signalled(n)` and resizes as `.resized`.
public final class EventLoop {
    public private(set) var state: AppState
    let device: Device
    public private(set) var finished = false
    /// Set when a signal ended the loop: the status the process exits with (128 + signal).
    public private(set) var exitStatus: Int32?
    /// Frames drawn, for tests and benchmarks.
    public private(set) var frames = 0
    let inbox = Inbox()
    let runner: Runner
    /// Running timers and when each runs out.
    private(set) var timers: [TimerTag: ContinuousClock.Instant] = [:]
    /// Added to the clock: tests move time on with `advance(by:)` instead of sleeping.
    private var clockOffset = Duration.zero

    public init(state: AppState, device: Device, engine: LazyEngine? = nil, documents: DocumentFiles? = nil) {
        self.state = state
        self.device = device
        runner = Runner(inbox: inbox, services: .init(engine: engine, documents: documents))
        engine?.setNotices { [inbox] text in inbox.post(.noticed(text)) }
        let (w, h) = device.size
        _ = App.update(&self.state, .resized(width: w, height: h))
    }

    /// Shows the head of a large file now and reads the whole of it on a worker.
    public func startLoading(path: String, bytes: [UInt8]) {
        state.loading = path
        runner.start(.load(path: path, bytes: bytes))
    }

    /// Records what the file looks like on disk now (tests that start from a file they wrote).
    public func setDiskStamp(_ stamp: TextFile.Stamp?) { state.diskStamp = stamp }

    var now: ContinuousClock.Instant { ContinuousClock.now + clockOffset }

    /// Runs until the user quits or a signal ends it; returns the exit status a signal asked for.
    @discardableResult
    public func run() -> Int32? {
        draw()
        while !finished {
            waitForInput()
            // Keys first, then signals, timers and what workers finished: typing is never held up.
            let events = device.readEvents() + CrashGuard.pendingSignals().map(Msg.signalled) + dueTimers() + inbox.drain()
            process(events)
        }
        device.stop()
        return exitStatus
    }

    /// Waits until every job has posted its result and it is handled: for tests.
    @discardableResult
    public func settle(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var fd = pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)
            let busy = runner.busy
            if poll(&fd, 1, busy ? 50 : 0) > 0 || !busy {
                process(inbox.drain())
                if !runner.busy && !hasWaitingResults { return true }
            }
        }
        return false
    }

    private var hasWaitingResults: Bool {
        var fd = pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)
        return poll(&fd, 1, 0) > 0
    }

    /// Moves the clock on and fires the timers that ran out meanwhile: for tests.
    public func advance(by d: Duration) {
        clockOffset += d
        process(dueTimers())
    }

    /// Whether a timer with this tag is running: for tests.
    public func timerRunning(_ tag: TimerTag) -> Bool { timers[tag] != nil }

    /// Handles a batch of events and draws once if anything happened (the headless driver's step).
    public func process(_ events: [Msg]) {
        guard !events.isEmpty else { return }
        var queue = events[...]
        while let msg = queue.popFirst(), !finished {
            for effect in App.update(&state, msg) {
                queue.append(contentsOf: carryOut(effect))
            }
        }
        if !finished { draw() }
    }

    public func draw() {
        device.present(Render.screen(state))
        frames += 1
    }

    private func dueTimers() -> [Msg] {
        let t = now
        let due = timers.filter { $0.value <= t }.sorted { $0.value < $1.value }.map(\.key)
        for tag in due { timers[tag] = nil }
        return due.map(Msg.timerFired)
    }

    /// Blocks until a key, a worker's result, a signal or the next timer.
    private func waitForInput() {
        var fds = [pollfd(fd: device.inputDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)]
        if CrashGuard.pipeRead >= 0 { fds.append(pollfd(fd: CrashGuard.pipeRead, events: Int16(POLLIN), revents: 0)) }
        var timeout: Int32 = -1
        if let next = timers.values.min() {
            let left = next - now
            timeout = left <= .zero ? 0 : Int32(min(60_000, left.inMilliseconds + 1))
        }
        // SIGWINCH interrupts poll (EINTR); the resize then arrives as a key from ncurses.
        _ = poll(&fds, nfds_t(fds.count), timeout)
    }

    /// Does an effect's input or output; returns what happened at once, as messages for `update`
    /// (the results of jobs come later, through the inbox).
    func carryOut(_ effect: Effect) -> [Msg] {
        switch effect {
        case .quit:
            runner.drain()
            finished = true
            return []
        case .exit(let status):
            exitStatus = status
            finished = true
            return []
        case .suspend:
            device.suspend()
            let (w, h) = device.size
            return [.resized(width: w, height: h)]
        case .redraw:
            device.invalidate()
            return []
        case .run(let job):
            runner.start(job)
            return []
        case .runNow(let job):
            return runner.runNow(job)
        case .cancel(let id):
            runner.cancel(id)
            return []
        case .startTimer(let tag, let after):
            timers[tag] = now + after
            return []
        case .cancelTimer(let tag):
            timers[tag] = nil
            return []
        }
    }
}
