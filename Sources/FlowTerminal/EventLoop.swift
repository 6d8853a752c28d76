import FlowDesigner
import FlowFormats
import Glibc

/// The one loop that owns the state and the terminal: wait for input, drain every waiting key,
/// run `update` for each, carry out the effects, draw once. Keys are never delayed by drawing.
public final class EventLoop {
    public private(set) var state: AppState
    let device: Device
    public private(set) var finished = false
    /// Frames drawn, for tests and benchmarks.
    public private(set) var frames = 0

    public init(state: AppState, device: Device) {
        self.state = state
        self.device = device
        let (w, h) = device.size
        _ = App.update(&self.state, .resized(width: w, height: h))
    }

    /// Records what the file looks like on disk now (tests that start from a file they wrote).
    public func setDiskStamp(_ stamp: TextFile.Stamp?) { state.diskStamp = stamp }

    /// Runs until the user quits or a signal asks to end.
    public func run() {
        draw()
        while !finished {
            waitForInput()
            if CrashGuard.endRequested() { break }
            process(device.readEvents())
        }
        device.stop()
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

    private func waitForInput() {
        var fds = [pollfd(fd: device.inputDescriptor, events: Int16(POLLIN), revents: 0)]
        if CrashGuard.pipeRead >= 0 { fds.append(pollfd(fd: CrashGuard.pipeRead, events: Int16(POLLIN), revents: 0)) }
        // SIGWINCH interrupts poll (EINTR); the resize then arrives as a key from ncurses.
        _ = poll(&fds, nfds_t(fds.count), -1)
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
