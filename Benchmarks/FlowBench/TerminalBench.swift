import FlowFormats
import Foundation
import Glibc
import TestSupport

/// The release `flowsmith` itself in a real terminal (tmux), as a user would start it: how long
/// until the first use case is on screen, how long until the whole file is read, and the
/// process's peak memory once it is (VmHWM from /proc).
enum TerminalBench {
    static func run() throws {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flowsmith").path
        guard FileManager.default.isExecutableFile(atPath: exe), let tmux = which("tmux") else {
            print("  (the real terminal: needs tmux and a release flowsmith beside FlowBench: make bench builds both)")
            return
        }
        let dir = NSTemporaryDirectory() + "flowbench-tty-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/big.flow.md"
        try FlowMarkdownWriter.write(RandomFlow.large(steps: 100_000)).write(toFile: file, atomically: true, encoding: .utf8)
        var firsts: [Double] = [], wholes: [Double] = [], peaks: [Double] = []
        for round in 0..<3 {
            let socket = "flowbench-\(getpid())-\(round)"
            func t(_ args: String...) -> String { shell(tmux, ["-L", socket] + args) }
            let start = ContinuousClock.now
            _ = t("new-session", "-d", "-x", "100", "-y", "30",
                  "env LANG=C.UTF-8 HOME=\(dir) XDG_STATE_HOME=\(dir)/state XDG_CONFIG_HOME=\(dir) \(exe) \(file)")
            var first: Duration?
            var whole: Duration?
            while ContinuousClock.now - start < .seconds(30) {
                let screen = t("capture-pane", "-p")
                if first == nil, screen.contains("Use case 1") { first = ContinuousClock.now - start }
                if first != nil, !screen.contains("reading…") { whole = ContinuousClock.now - start; break }
                usleep(2_000)
            }
            let pid = t("display", "-p", "#{pane_pid}").trimmingCharacters(in: .whitespacesAndNewlines)
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = line.split(separator: " ").compactMap({ Double($0) }).first {
                peaks.append(kb / 1024)
            }
            _ = t("kill-server")
            if let first { firsts.append(seconds(first) * 1000) }
            if let whole { wholes.append(seconds(whole) * 1000) }
        }
        func best(_ xs: [Double]) -> String { xs.min().map { String(format: "%9.1f ms", $0) } ?? "   (none)" }
        EditorBench.row("real terminal: first frame, 100,000 steps", best(firsts), "≤ 100 ms")
        EditorBench.row("  the whole file read", best(wholes), "")
        EditorBench.row("  the editor's peak memory", peaks.max().map { String(format: "%6.1f MiB", $0) } ?? "(none)", "≤ 64 MiB")
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a program and returns what it printed. posix_spawn with an empty signal mask and
    /// waitpid, not Foundation's Process: after the loop's workers (which block every signal) have
    /// run, Process can miss the child's exit and wait for ever.
    static func shell(_ exe: String, _ args: [String]) -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return "" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let spawned = posix_spawn(&pid, exe, &actions, &attr, argv, environ)
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attr)
        close(fds[1])
        var out: [UInt8] = []
        if spawned == 0 {
            // `tmux new-session` leaves a server holding the pipe: read only what the client wrote
            // before it exited.
            var status: Int32 = 0
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            while true {
                let n = read(fds[0], &buffer, buffer.count)
                if n > 0 { out += buffer[0..<n]; continue }
                if waitpid(pid, &status, WNOHANG) == pid {
                    while case let n = read(fds[0], &buffer, buffer.count), n > 0 { out += buffer[0..<n] }
                    break
                }
                usleep(500)
            }
        }
        close(fds[0])
        return String(decoding: out, as: UTF8.self)
    }
}
