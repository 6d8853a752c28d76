import FlowDesigner
import FlowFormats
import FlowSuggest
import Glibc

/// The one loop that owns the state and the terminal: wait for input, drain every waiting key,
/// run `update` for each, carry out the effects, draw once. Keys are never delayed by drawing.
public final class EventLoop {
    public private(set) var state: AppState
    let device: Device
    public private(set) var finished = false
    /// Frames drawn, for tests and benchmarks.
    public private(set) var frames = 0
    let inbox = Inbox()
    let engine: LazyEngine?

    public init(state: AppState, device: Device, engine: LazyEngine? = nil) {
        self.state = state
        self.device = device
        self.engine = engine
        self.engine?.notices = { [inbox] text in inbox.post(.noticed(text)) }
        let (w, h) = device.size
        _ = App.update(&self.state, .resized(width: w, height: h))
    }

    /// Records what the file looks like on disk now (tests that start from a file they wrote).
    public func setDiskStamp(_ stamp: TextFile.Stamp?) { state.diskStamp = stamp }

    /// Runs until the user quits or a signal asks to end.
    public func run() {
        draw()
        while !finished {
            let timedOut = waitForInput()
            if CrashGuard.endRequested() { break }
            // Keys first, then what workers finished: typing is never held up by a suggestion.
            var events = device.readEvents() + inbox.drain()
            if timedOut && events.isEmpty { events = [.ticked] }
            process(events)
        }
        device.stop()
    }

    /// Waits until a worker posts something (or the time is up), then handles it: for tests.
    @discardableResult
    public func settle(timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var fd = pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)
            if poll(&fd, 1, 50) > 0 {
                process(inbox.drain())
                if !inbox.busy { return true }
            } else if !inbox.busy {
                return true
            }
        }
        return false
    }

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

    func draw() {
        device.present(Render.screen(state))
        frames += 1
    }

    /// Blocks until a key, a worker's result or a signal; while a request is in flight, wakes
    /// every 100 ms to move the spinner. Returns true when it woke only for that.
    private func waitForInput() -> Bool {
        var fds = [pollfd(fd: device.inputDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)]
        if CrashGuard.pipeRead >= 0 { fds.append(pollfd(fd: CrashGuard.pipeRead, events: Int16(POLLIN), revents: 0)) }
        let timeout: Int32 = state.suggestions?.loading == true ? 100 : -1
        // SIGWINCH interrupts poll (EINTR); the resize then arrives as a key from ncurses.
        return poll(&fds, nfds_t(fds.count), timeout) == 0
    }

    /// Does an effect's input or output; returns what happened, as messages for `update`.
    func carryOut(_ effect: Effect) -> [Msg] {
        switch effect {
        case .quit:
            finished = true
            return []
        case .suspend:
            device.suspend()
            let (w, h) = device.size
            return [.resized(width: w, height: h)]
        case .redraw:
            device.invalidate()
            return []
        case .requestSuggestions(let id, let context, let count, let delay):
            guard let engine else { return [.suggestionsFailed(id: id, message: "No suggestion engine is set up")] }
            inbox.start(id, context, count: count, delay: delay, engine: { try engine.get() })
            return []
        case .cancelSuggestions(let id):
            inbox.cancel(id)
            return []
        case .save(let path, let text, let revision, let expected, let force):
            if !force, TextFile.stamp(path) != expected {
                return [.saveFailed(expected == nil
                    ? "\(path) already exists: :w! \(path) replaces it"
                    : "\(path) changed on disk since it was read: :w! overwrites it, :e! \(path) reloads it")]
            }
            do {
                try TextFile.write(text, to: path)
                return [.saved(path: path, revision: revision, stamp: TextFile.stamp(path))]
            } catch {
                return [.saveFailed(error.description)]
            }
        case .export(let path, let text):
            do {
                try TextFile.write(text, to: path)
                return [.exported(path: path)]
            } catch {
                return [.exportFailed(error.description)]
            }
        case .open(let path):
            if !TextFile.exists(path) { return [.opened(path: path, text: "", stamp: nil)] }
            do {
                return [.opened(path: path, text: try TextFile.read(path), stamp: TextFile.stamp(path))]
            } catch {
                return [.openFailed(error.description)]
            }
        }
    }
}
