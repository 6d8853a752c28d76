import ArgumentParser
import FlowCore
import FlowFormats
import FlowTerminal
import Synchronization

@main
struct Flowsmith: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "flowsmith",
        abstract: "Design business processes as Cockburn-style use cases, from the terminal.",
        discussion: """
            Flows are Markdown files (.flow.md); FORMAT.md describes the format. The documentation \
            is in docs/ of the source, and in share/doc/flowsmith/docs/ beside an installed flowsmith.
            `flowsmith FILE.flow.md` opens the editor on a file.
            """,
        version: version,
        subcommands: [Edit.self, Export.self, Import.self, Check.self, Suggest.self, Train.self, Eval.self, DatasetCommand.self, Finetune.self, Models.self, Keys.self],
        defaultSubcommand: Edit.self
    )

    /// Checks the first word before parsing: `flowsmith exprot f.flow.md` would otherwise open the
    /// editor on a new file named `exprot`, or fail with a usage message about `f.flow.md`.
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if let problem = unknownCommand(args) {
            complain(problem)
            Glibc.exit(64)   // EX_USAGE
        }
        FlowTerminalMain.lineBufferedOutput()
        main(args)
    }

    static var commandNames: [String] {
        configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() } + ["help"]
    }

    /// Why the first word is neither a command nor a file to edit, or nil when it is one of them.
    static func unknownCommand(_ args: [String]) -> String? {
        // `help NAME` for a command that is not there is a mistake too (it printed the general help).
        if args.first == "help", args.count > 1, !args[1].hasPrefix("-"), !commandNames.contains(args[1]) {
            return "no command '\(args[1])' to help with; the commands are \(commandNames.joined(separator: ", "))"
        }
        guard let first = args.first, !first.hasPrefix("-"), !commandNames.contains(first),
              !TextFile.exists(first), !first.lowercased().hasSuffix(".md") else { return nil }
        let nearest = commandNames.map { ($0, editDistance(first.lowercased(), $0)) }.min { $0.1 < $1.1 }
        if let (name, d) = nearest, d <= max(1, name.count / 3) {
            return "unknown command '\(first)'; did you mean '\(name)'?"
        }
        return "'\(first)' is neither a command (\(commandNames.joined(separator: ", "))) nor a file; "
            + "a new flow's name ends in .md (or: flowsmith edit --new \(first))"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}

/// Prints a message to standard error in the one shape every command uses. Messages carry
/// untrusted text (a server's error, a file's name): each line is shown safe (`Sanitize`).
func complain(_ message: String) {
    var err = StandardError()
    print("flowsmith: " + message.split(separator: "\n", omittingEmptySubsequences: false).map { Sanitize.line(String($0)) }.joined(separator: "\n"), to: &err)
}

/// `complain` for a message that the same run may come to more than once (a setting read for
/// every request): said the first time only.
func warnOnce(_ message: String) {
    let first = warned.withLock { $0.insert(message).inserted }
    if first { complain(message) }
}

private let warned = Mutex<Set<String>>([])

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Reads and parses a flow file. When it cannot, prints every mistake as FILE:LINE:COL: message
/// (the first 50, then how many more) with `hint` after them, and exits 1.
func loadFlow(_ path: String, hint: String? = nil) throws -> ParsedFlow {
    try parseOrComplain(try readChecked(path), file: path, hint: hint)
}

/// A file's bytes, checked to be UTF-8 text; a clear message and exit 1 when they are not.
func readChecked(_ path: String) throws -> [UInt8] {
    do {
        return try TextFile.readUTF8(path)
    } catch {
        // A bad byte is a mistake at a place: FILE:LINE:COL: message, as the reader's are.
        if error.position != nil {
            var err = StandardError()
            print(Sanitize.line(error.description), to: &err)
        } else {
            complain(error.description)
        }
        throw ExitCode(1)
    }
}

func parseOrComplain(_ bytes: [UInt8], file path: String, hint: String?, positions: Bool = true) throws -> ParsedFlow {
    let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes, file: path, limit: maxReported + 1000, positions: positions)
    guard errors.isEmpty else {
        var err = StandardError()
        for e in errors.prefix(maxReported) { print(Sanitize.line(e.description), to: &err) }
        if errors.count > maxReported {
            print(Sanitize.line("\(path): … \(errors.count - maxReported)\(errors.count >= maxReported + 1000 ? " or more" : "") more"), to: &err)
        }
        if let hint { complain(hint) }
        throw ExitCode(1)
    }
    return parsed
}

/// How many mistakes in one file are listed before "… N more".
let maxReported = 50

/// Writes output to a file (safely: see TextFile.write), or to standard output when no file is
/// named. A write-protected file is written only with `force` (the command's --force).
func emit(_ text: String, to path: String?, force: Bool = false) throws {
    guard let path else {
        print(text, terminator: "")
        return
    }
    do {
        try TextFile.write(text, to: path, overProtection: force)
    } catch {
        complain(error.description + (error.writeProtected ? "; --force writes it anyway" : ""))
        throw ExitCode(1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
