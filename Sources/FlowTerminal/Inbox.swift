import FlowDesigner
import FlowSuggest
import Foundation
import Glibc
import Synchronization

/// Where background work leaves its results for the loop: a locked queue plus a self-pipe the
/// loop polls, so a result wakes it at once and the worker never touches state or the terminal.
final class Inbox: @unchecked Sendable {
    private let queue = Mutex<[Msg]>([])
    private let cancelled = Mutex<Set<Int>>([])
    private let running = Mutex<Int>(0)
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

    func cancel(_ id: Int) { _ = cancelled.withLock { $0.insert(id) } }
    func isCancelled(_ id: Int) -> Bool { cancelled.withLock { $0.contains(id) } }
    var busy: Bool { running.withLock { $0 > 0 } }

    /// Runs an engine on a new thread (all signals blocked there, so SIGWINCH and SIGINT still
    /// reach the loop's thread) and posts what it finds.
    func start(_ id: Int, _ context: SuggestionContext, count: Int, delay: Duration = .zero,
               engine: @escaping @Sendable () throws -> SuggestionEngine) {
        running.withLock { $0 += 1 }
        let thread = Thread { [self] in
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
            defer { running.withLock { $0 -= 1 } }
            let until = ContinuousClock.now + delay
            while ContinuousClock.now < until {
                if isCancelled(id) { return }
                usleep(10_000)
            }
            do {
                let e = try engine()
                let found = try e.suggest(context, count: count, partial: { [self] partial in
                    if !self.isCancelled(id) { self.post(.suggestionsArrived(id: id, candidates: partial, done: false)) }
                }, isCancelled: { [self] in self.isCancelled(id) })
                if !isCancelled(id) { post(.suggestionsArrived(id: id, candidates: found, done: true)) }
            } catch {
                if !isCancelled(id) { post(.suggestionsFailed(id: id, message: "\(error)")) }
            }
        }
        thread.start()
    }
}

/// Builds an engine once, on first use, on whichever worker asks first.
public final class LazyEngine: @unchecked Sendable {
    private let make: @Sendable (@escaping @Sendable (String) -> Void) throws -> SuggestionEngine
    private let cached = Mutex<SuggestionEngine?>(nil)
    /// Where engines send what the user should know (set by the loop that owns the screen).
    var notices: @Sendable (String) -> Void = { _ in }

    public init(_ make: @escaping @Sendable (_ notice: @escaping @Sendable (String) -> Void) throws -> SuggestionEngine) {
        self.make = make
    }

    public convenience init(_ engine: @escaping @Sendable () throws -> SuggestionEngine) {
        self.init { _ in try engine() }
    }

    public func get() throws -> SuggestionEngine {
        if let e = cached.withLock({ $0 }) { return e }
        let notices = self.notices
        let e = try make { notices($0) }
        cached.withLock { $0 = e }
        return e
    }
}
