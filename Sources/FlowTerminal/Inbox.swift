import FlowDesigner
import FlowSuggest
import Foundation
import Glibc
import Synchronization

/// Where background work leaves its results for the loop: a locked queue plus a self-pipe the
/// loop polls, so a result wakes it at once and a worker never touches state or the terminal.
final class Inbox: Sendable {
    private let queue = Mutex<[Msg]>([])
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds where fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func post(_ msg: Msg) {
        queue.withLock { $0.append(msg) }
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }

    func drain() -> [Msg] {
        var b = [UInt8](repeating: 0, count: 64)
        while read(readFD, &b, b.count) > 0 {}
        return queue.withLock { q in defer { q = [] }; return q }
    }
}

/// Builds an engine once, on first use, on whichever worker asks first; others wait for it.
public final class LazyEngine: Sendable {
    private let make: @Sendable (@escaping @Sendable (String) -> Void) throws -> SuggestionEngine
    private let cached = Mutex<SuggestionEngine?>(nil)
    /// Where engines send what the user should know (set by the loop that owns the screen).
    private let notices = Notices()

    public init(_ make: @escaping @Sendable (_ notice: @escaping @Sendable (String) -> Void) throws -> SuggestionEngine) {
        self.make = make
    }

    public convenience init(_ engine: @escaping @Sendable () throws -> SuggestionEngine) {
        self.init { _ in try engine() }
    }

    func setNotices(_ f: @escaping @Sendable (String) -> Void) { notices.set(f) }

    /// Makes the engine and has it read its model now, on a worker thread at a low priority,
    /// so that the first suggestion asked comes as quickly as the rest (reading the local model
    /// takes most of a second). What fails here is left for the first request to say.
    public func warm() {
        let thread = Thread { [self] in
            // (On Linux a nice value is a thread's own: 0 names the calling thread.)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            (try? get())?.prepare()
        }
        thread.name = "flowsmith-warm"
        thread.start()
    }

    public func get() throws -> SuggestionEngine {
        try cached.withLock { engine in
            if let engine { return engine }
            let made = try make { [notices] text in notices.send(text) }
            engine = made
            return made
        }
    }
}

/// Where notices go; set once the loop exists, read by any worker.
final class Notices: Sendable {
    private let sink = Mutex<@Sendable (String) -> Void>({ _ in })
    func set(_ f: @escaping @Sendable (String) -> Void) { sink.withLock { $0 = f } }
    func send(_ text: String) { sink.withLock { $0 }(text) }
}
