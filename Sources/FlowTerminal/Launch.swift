import CNcursesw
import Foundation
import FlowCore
import FlowDesigner
import FlowFormats

/// Starts the editor on the terminal and returns when the user quits: nil, or the exit status a
/// signal asked for (128 + its number) once the recovery file is written and the terminal restored.
/// With `rest`, `flow` is the head of a large file whose whole bytes `rest` are: the first frame
/// shows the head at once and the whole flow replaces it when read.
public enum FlowTerminalMain {
    /// Standard output said line by line, also into a file or a pipe (`finetune … | tee`, a CI
    /// log): a job's id must not wait in a buffer for an end a killed process never reaches.
    public static func lineBufferedOutput() { cn_line_buffered_stdout() }

    /// Whether the user's locale names a character set other than UTF-8 (LANG=C, ISO-8859-1 …):
    /// the diagram is then drawn in ASCII. An unset locale counts as UTF-8, as the editor assumes.
    public static func localeIsNotUTF8(_ env: [String: String]) -> Bool {
        guard let locale = locale(env) else { return false }
        let l = locale.lowercased()
        return !(l.contains("utf-8") || l.contains("utf8"))
    }

    /// The locale that decides the character set: the first of LC_ALL, LC_CTYPE, LANG set.
    static func locale(_ env: [String: String]) -> String? {
        ["LC_ALL", "LC_CTYPE", "LANG"].compactMap { env[$0] }.first { !$0.isEmpty }
    }

    /// The character set the locale names when it is not UTF-8 ("GB18030" of zh_CN.GB18030,
    /// "ISO-8859-1" of en_US.ISO-8859-1); nil for UTF-8 and for C or POSIX, which name none
    /// (and are common where the terminal is UTF-8 all the same).
    public static func foreignCharset(_ env: [String: String]) -> String? {
        guard let locale = locale(env), let dot = locale.firstIndex(of: ".") else { return nil }
        let charset = locale[locale.index(after: dot)...].prefix { $0 != "@" }
        let l = charset.lowercased()
        return charset.isEmpty || l == "utf-8" || l == "utf8" ? nil : String(charset)
    }

    @MainActor
    public static func run(flow: Flow, path: String, stamp: TextFile.Stamp?, theme: Theme, bindings: Bindings,
                           noColor: Bool, message: String?, engine: LazyEngine?, documents: DocumentFiles?,
                           recovery: RecoveryFile? = nil, lock: LockOwner? = nil, rest: [UInt8]? = nil,
                           settings: [String: String] = [:]) -> Int32? {
        CrashGuard.saveTerminal()
        let device = NcursesDevice(colorsAllowed: !noColor)
        var state = AppState(flow: flow, path: path, theme: theme.adapted(toColors: device.colorCount), bindings: bindings)
        state.diskStamp = stamp
        state.asciiDiagram = Self.localeIsNotUTF8(ProcessInfo.processInfo.environment)
        state.autoSuggest = ["on", "yes", "true"].contains(settings["auto-suggest"]?.lowercased() ?? "")
        if let n = settings["suggestions"].flatMap(Int.init), (1...9).contains(n) { state.suggestionCount = n }
        if let message {
            state.say(message)
        } else if let charset = Self.foreignCharset(ProcessInfo.processInfo.environment) {
            // Labels are drawn in UTF-8 whatever the locale: a GB18030 terminal would show them
            // garbled, with no word why.
            state.say("The locale's character set is \(Sanitize.line(charset)), not UTF-8: flowsmith draws in UTF-8, so set the terminal and LANG to UTF-8 if the screen looks wrong")
        }
        if stamp == nil && flow.useCases.isEmpty && flow.title.isEmpty { state.startNewFlow() }
        state.offer(lock: lock, recovery: recovery)
        let loop = EventLoop(state: state, device: device, engine: engine, documents: documents)
        if let rest { loop.startLoading(path: path, bytes: rest) }
        engine?.warm()
        let status = loop.run()
        // The file open at the end (`:e` may have moved on: the first was given back then).
        documents?.unlock(loop.state.path ?? path)
        return status
    }
}
