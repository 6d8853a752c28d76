import Glibc

/// Terminal safety: SIGTERM, SIGHUP, SIGINT and SIGQUIT reach `update` as messages (through a
/// self-pipe the loop polls), which writes the recovery file and ends the loop; fatal signals restore the terminal's saved settings before the process dies, so no
/// exit path leaves a raw, invisible-cursor terminal behind.
enum CrashGuard {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var haveSaved = false
    nonisolated(unsafe) static var pipeWrite: Int32 = -1
    nonisolated(unsafe) static var pipeRead: Int32 = -1
    static let fatal: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    static let ending: [Int32] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]

    /// Call before ncurses changes the terminal.
    static func saveTerminal() {
        haveSaved = tcgetattr(0, &saved) == 0
    }

    static func install() {
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            pipeRead = fds[0]
            pipeWrite = fds[1]
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        // The signal's number goes through the pipe; the loop hands it to `update` as `.signalled`.
        for sig in ending {
            signal(sig) { sig in
                var b = UInt8(truncatingIfNeeded: sig)
                _ = write(CrashGuard.pipeWrite, &b, 1)
            }
        }
        // A vanished terminal or reader must not kill the process before the recovery file is written.
        signal(SIGPIPE, SIG_IGN)
        for sig in fatal {
            signal(sig) { sig in
                CrashGuard.restore()
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }

    static func uninstall() {
        for sig in ending + fatal { signal(sig, SIG_DFL) }
    }

    /// Async-signal-safe: leaves the alternate screen, shows the cursor, restores the tty settings.
    static func restore() {
        let reset: StaticString = "\u{1B}[?2004l\u{1B}[?1000l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
        _ = write(1, reset.utf8Start, reset.utf8CodeUnitCount)
        if haveSaved { tcsetattr(0, TCSAFLUSH, &saved) }
    }

    /// The ending signals that arrived since the last call (drains the pipe).
    static func pendingSignals() -> [Int32] {
        var b: UInt8 = 0
        var got: [Int32] = []
        while pipeRead >= 0, read(pipeRead, &b, 1) == 1 { got.append(Int32(b)) }
        return got
    }
}
