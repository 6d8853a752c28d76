import ArgumentParser
import FlowCore
import FlowDesigner
import FlowFormats
import FlowSuggest
import Foundation
import OpenAIClient
import Synchronization

/// Flows read from files and folders given on the command line: `.flow.md` files as flows, other
/// files as outlines (`flowsmith import`); in folders, `.flow.md`, `.outline` and `.txt` files.
enum Library {
    struct Document {
        var path: String
        var flow: Flow
    }

    /// Every document under `paths`, in a stable order. A file that cannot be read is reported
    /// with its position and skipped; a path that does not exist stops the command.
    static func load(_ paths: [String]) throws -> [Document] {
        var out: [Document] = []
        for file in try files(paths) {
            do {
                let text = try TextFile.read(file)
                let flow = file.hasSuffix(".flow.md") ? try FlowMarkdownReader.read(text, file: file).flow
                    : try OutlineImporter.read(text, file: file)
                out.append(Document(path: file, flow: flow))
            } catch {
                complain("skipped " + Sanitize.line("\(error)"))
            }
        }
        return out
    }

    /// The files `load` reads under `paths`: files as given, and a folder's `.flow.md`, `.outline`
    /// and `.txt` files, in a stable order.
    /// `quiet`: a path that is not there throws without saying so (the caller's `load` will).
    static func files(_ paths: [String], quiet: Bool = false) throws -> [String] {
        var out: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                if !quiet { complain(Sanitize.line("\(path): no such file or folder")) }
                throw ExitCode(1)
            }
            if isDirectory.boolValue {
                let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".flow.md") || $0.hasSuffix(".outline") || $0.hasSuffix(".txt") }.sorted()
                out += found.map { (path.hasSuffix("/") ? path : path + "/") + $0 }
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Stops a command before it writes `outputs` (JSONL files) over what it reads or over a flow:
    /// an output may not be one of the input files (by any name or link), may not be named like
    /// a flow (`.flow.md`), and two outputs may not be one file.
    /// (And no file that holds something other than JSONL, unless `force`: an outline, notes.)
    static func refuseOverwriting(_ outputs: [String], inputs paths: [String], force: Bool = false, forceFlag: String? = nil) throws {
        let inputs = (try? files(paths, quiet: true)) ?? paths
        for (i, output) in outputs.enumerated() {
            var why: String?
            if let input = inputs.first(where: { TextFile.sameFile(output == "-" ? "/dev/stdout" : output, $0) }) {
                why = "\(output) is \(input == output ? "one of the files read" : "the file read as \(input)"): write to another file"
            } else if TextFile.namedLikeAFlow(output) {
                why = "\(output) is named like a flow (.flow.md); this writes JSONL: name it .jsonl"
            } else if outputs[..<i].contains(where: { same($0, output) }) {
                why = "\(output) is given twice: the training and validation files must differ"
            } else if !force, let first = firstLineIfNotJSONL(output) {
                why = "\(output) exists and is no file flowsmith wrote (it starts \"\(first.prefix(40))\"): give another name"
                    + (forceFlag.map { ", or \($0) replaces it" } ?? " or remove it")
            }
            if let why {
                complain(Sanitize.line(why))
                throw ExitCode(64)
            }
        }
    }

    /// The first line of an existing file that holds something other than what an earlier run
    /// wrote (a dataset's `{"messages"…` lines, a batch file's `{"custom_id"…`); nil when it is
    /// missing, empty or one of those.
    static func firstLineIfNotJSONL(_ path: String) -> String? {
        guard TextFile.exists(path), let fd = Optional(open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)), fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &head, head.count)
        guard n > 0 else { return nil }
        let first = String(decoding: head[..<n], as: UTF8.self).split(whereSeparator: \.isNewline)
            .first { !$0.allSatisfy(\.isWhitespace) }?.trimmingCharacters(in: .whitespaces) ?? ""
        // (What dataset writes, or a batch file of eval's.)
        return first.isEmpty || first.hasPrefix("{\"messages\"") || first.hasPrefix("{\"custom_id\"") ? nil : Sanitize.line(first)
    }

    /// Two paths for one file: the same file on disk, or the same absolute path before it exists.
    static func same(_ a: String, _ b: String) -> Bool {
        if TextFile.sameFile(a, b) { return true }
        func absolute(_ p: String) -> String {
            ((p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p) as NSString).standardizingPath
        }
        return absolute(a) == absolute(b)
    }
}

/// A line redrawn in place on a terminal (standard error), or nothing when standard error is not one.
final class LiveLine: @unchecked Sendable {
    let isTerminal: Bool
    init(quiet: Bool = false) { isTerminal = !quiet && isatty(2) == 1 }
    /// Shows nothing (for --json).
    static var silent: LiveLine { LiveLine(quiet: true) }
    private let lock = NSLock()
    private var shown = false

    func show(_ text: String) {
        guard isTerminal else { return }
        lock.withLock {
            var err = StandardError()
            let width = max(20, Self.columns() - 1)
            print("\r" + Self.fit(Sanitize.line(text), width) + "\u{1B}[K", terminator: "", to: &err)
            shown = true
        }
    }

    /// Ends the live line, leaving its last text on screen.
    func finish() {
        lock.withLock {
            guard shown else { return }
            var err = StandardError()
            print("", to: &err)
            shown = false
        }
    }

    /// Prints a line of its own above the live line.
    func say(_ text: String) {
        lock.withLock {
            var err = StandardError()
            if shown { print("\r\u{1B}[K", terminator: "", to: &err) }
            print(Sanitize.line(text), to: &err)
        }
    }

    static func columns() -> Int {
        var size = winsize()
        return ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    static func fit(_ text: String, _ width: Int) -> String {
        var out = "", used = 0
        for c in text {
            let w = DisplayWidth.of(c)
            if used + w > width { return out + "…" }
            out.append(c)
            used += w
        }
        return out
    }

    static func bar(_ done: Double, width: Int = 24) -> String {
        let filled = Int((max(0, min(1, done)) * Double(width)).rounded(.down))
        return "▕" + String(repeating: "█", count: filled) + String(repeating: " ", count: width - filled) + "▏"
            + String(format: " %3d%%", Int(done * 100))
    }

    static func elapsed(_ since: ContinuousClock.Instant) -> String {
        let s = Int((ContinuousClock.now - since).components.seconds)
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Ctrl-C while a remote job is followed: noted, so the command can ask what to do with the job.
enum Interrupt {
    static let flag = Atomic<Bool>(false)
    static var isSet: Bool { flag.load(ordering: .relaxed) }

    /// Hears Ctrl-C from now on, unless SIGINT was ignored when the program started (a
    /// background job of a non-interactive shell), which stays so.
    static func install() {
        let previous = signal(SIGINT) { _ in Interrupt.flag.store(true, ordering: .relaxed) }
        if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
            signal(SIGINT, SIG_IGN)
        }
    }

    static func reset() { flag.store(false, ordering: .relaxed) }

    /// Asks a yes/no question on the terminal; no terminal, or a second Ctrl-C, means no.
    static func confirm(_ question: String) -> Bool {
        guard isatty(0) == 1 else { return false }
        reset()
        var err = StandardError()
        print(question + " [y/N] ", terminator: "", to: &err)
        guard let answer = readLine(), !isSet else { return false }
        return answer.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("y")
    }
}

extension EngineChoice {
    /// A client for the configured server, for the platform commands (files, jobs, batches).
    func client(maxRetries: Int? = nil, rateLimitRetries: Int? = nil, sayWaits: Bool = false) throws -> OpenAIClient {
        var configuration: OpenAIClient.Configuration
        do {
            configuration = try self.configuration(withoutKey: "(or OPENAI_BASE_URL for another OpenAI-compatible server)")
        } catch {
            complain(error.message)
            throw ExitCode(1)
        }
        if let maxRetries { configuration.maxRetries = maxRetries }
        configuration.rateLimitRetries = rateLimitRetries
        if sayWaits {
            // A wait of seconds (a rate limit's Retry-After) is said, not sat through in silence.
            configuration.onWait = { wait, error, attempt in
                complain("\(error.brief): trying again in \(String(format: "%.0f", wait.inSeconds.rounded(.up))) s (try \(attempt))")
            }
        }
        return OpenAIClient(configuration)
    }

    /// The platform client from the environment and config file.
    static func platform() throws -> OpenAIClient {
        let env = ProcessInfo.processInfo.environment
        return try resolve(flag: "openai", config: try UserConfig.load(env).settings, env: env).client(sayWaits: true)
    }
}

/// Sleeps in short steps, so that Ctrl-C is heard at once.
func nap(_ seconds: Double) {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end && !Interrupt.isSet { Thread.sleep(forTimeInterval: min(0.05, max(0, end.timeIntervalSinceNow))) }
}

func fail(_ error: Error) -> ExitCode {
    complain(Sanitize.line("\(error)"))
    return ExitCode(1)
}

// MARK: - dataset

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Build a chat fine-tuning dataset (JSONL) from flows and outlines, or check one.",
        discussion: """
            Each example holds exactly the messages the openai engine sends at that place in a \
            flow, answered with the author's own text: the next step given the steps so far \
            (next), the conditions of a step (conditions), a main scenario given the title \
            (draft). The split is by use case, so that nothing leaks between training and \
            validation; the same flows and --seed give the same files. Identical examples are \
            kept once.
            """)

    @Argument(help: "Flow files, outlines, or folders of them.", completion: .file())
    var paths: [String] = []

    @Option(name: .shortAndLong, help: "The training file to write.", completion: .file(extensions: ["jsonl"]))
    var output: String?

    @Option(help: "The share of use cases held out for validation (0 to 0.5).")
    var validationSplit: Double?

    @Option(help: "The validation file to write (default: beside the training file, when a split is asked for).", completion: .file(extensions: ["jsonl"]))
    var validationOut: String?

    @Option(help: "The seed of the shuffle and the split.")
    var seed: UInt64 = 42

    @Option(help: "Which examples: next, conditions, draft, comma-separated.")
    var kinds: String = "next,conditions,draft"

    @Option(help: "How many suggestions the prompts ask for, 1 to 9 (the editor's `suggestions` setting).")
    var suggestions: Int = 3

    @Option(help: "Epochs, for the cost estimate.")
    var epochs: Int = 3

    @Option(help: "US dollars per million training tokens, for the cost estimate.")
    var price: Double = 3.0

    @Flag(help: "Leave out the library's similar use cases that the openai engine puts in its prompts.")
    var noLibrary = false

    @Option(help: "Check this JSONL file against the chat fine-tuning format instead.", completion: .file(extensions: ["jsonl"]))
    var check: String?

    @Flag(help: "Replace an output file that holds something other than JSONL.")
    var force = false

    func run() throws {
        if let check { return try Self.check(check) }
        guard !paths.isEmpty else {
            complain("give flow files or folders to build from (or --check FILE.jsonl)")
            throw ExitCode(64)
        }
        guard let output else {
            complain("give the training file to write: -o train.jsonl")
            throw ExitCode(64)
        }
        var wanted = Set<SuggestionKind>()
        for name in kinds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let k = SuggestionKind(rawValue: name) else {
                complain("unknown kind \"\(Sanitize.line(name))\": next, conditions or draft")
                throw ExitCode(64)
            }
            wanted.insert(k)
        }
        // The prompts are the editor's: a count it cannot ask for trains for a prompt never sent.
        guard (1...9).contains(suggestions) else {
            complain("--suggestions \(suggestions): the editor asks for 1 to 9 (its `suggestions` setting), so the prompts do too")
            throw ExitCode(64)
        }
        let fraction = validationSplit ?? (validationOut != nil ? 0.1 : 0)
        guard (0...0.5).contains(fraction) else {
            complain("--validation-split is a share between 0 and 0.5, such as 0.1")
            throw ExitCode(64)
        }
        let validationPath = fraction > 0 ? (validationOut ?? Self.besides(output)) : nil
        try Library.refuseOverwriting([output] + (validationPath.map { [$0] } ?? []), inputs: paths, force: force, forceFlag: "--force")
        let documents = try Library.load(paths)
        guard !documents.isEmpty else {
            complain(Sanitize.line("no flows in \(paths.joined(separator: ", ")): give .flow.md files, outlines (.outline, .txt) or folders of them"))
            throw ExitCode(1)
        }
        // The library the openai engine draws its examples from: the trained model, or the corpus.
        let library = noLibrary ? nil : ModelStore.current(ProcessInfo.processInfo.environment, executable: CommandLine.arguments[0])
        let examples = Dataset.examples(from: documents.map(\.flow), kinds: wanted, count: max(1, suggestions), library: library)
        guard !examples.isEmpty else {
            complain("no examples: the flows have no steps to learn from")
            throw ExitCode(1)
        }
        let split = Dataset.split(examples, validationFraction: fraction, seed: seed)
        do {
            try TextFile.write(split.training.map { $0.jsonLine + "\n" }.joined(), to: output)
            if let validationPath {
                try TextFile.write(split.validation.map { $0.jsonLine + "\n" }.joined(), to: validationPath)
            }
        } catch {
            throw fail(error)
        }
        let tokens = split.training.reduce(0) { $0 + Dataset.estimatedTokens($1) }
        print("\(documents.count) file\(documents.count == 1 ? "" : "s"), \(examples.count) examples"
            + (split.duplicates > 0 ? " (\(split.duplicates) duplicates dropped)" : ""))
        print("kind          training  validation")
        for kind in SuggestionKind.allCases where wanted.contains(kind) {
            let t = split.training.filter { $0.kind == kind }.count, v = split.validation.filter { $0.kind == kind }.count
            print(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: "%10d  %10d", t, v))
        }
        print(String(format: "training tokens ~%d; ~%d for %d epochs: about $%.2f at $%.2f per 1M tokens (--epochs, --price)",
                     tokens, tokens * epochs, epochs, Double(tokens * epochs) * price / 1e6, price))
        print("wrote \(output) (\(split.training.count))" + (validationPath.map { " and \($0) (\(split.validation.count))" } ?? ""))
        print("next: flowsmith finetune \(output)" + (validationPath.map { " --validation \($0)" } ?? "") + " --base-model MODEL")
        if split.training.count < Dataset.platformMinimum {
            complain("warning: \(split.training.count) training examples; fine-tuning platforms need at least \(Dataset.platformMinimum)")
        }
    }

    /// `train.jsonl` → `train.validation.jsonl`.
    static func besides(_ path: String) -> String {
        path.hasSuffix(".jsonl") ? String(path.dropLast(6)) + ".validation.jsonl" : path + ".validation.jsonl"
    }

    static func check(_ path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try TextFile.readBytes(path)
        } catch {
            throw fail(error)
        }
        let result = Dataset.check(bytes)
        for p in result.problems.prefix(200) { print(Sanitize.line("\(path):\(p.line): \(p.message)")) }
        if result.problems.count > 200 { print("… \(result.problems.count - 200) more") }
        if result.problems.isEmpty {
            print("\(path): \(counted(result.examples, "example")), ~\(result.tokens) tokens, no problems")
            if result.examples < Dataset.platformMinimum {
                complain("warning: \(counted(result.examples, "example")); fine-tuning platforms need at least \(Dataset.platformMinimum)")
            }
            return
        }
        complain("\(path): \(counted(result.problems.count, "problem")) in \(counted(result.examples + Set(result.problems.map(\.line)).count, "line"))")
        throw ExitCode(1)
    }
}

// MARK: - finetune

struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a model on a dataset on an OpenAI-compatible platform, and follow the job.",
        discussion: """
            Uploads the training (and validation) file, creates the job and follows it until it \
            ends: one live line on a terminal, one line per event otherwise. Ctrl-C asks whether \
            to cancel the job on the server or leave it running. With --use, the fine-tuned model \
            becomes the openai engine's model in the config file.
            """)

    @Argument(help: "The training file (from flowsmith dataset).", completion: .file(extensions: ["jsonl"]))
    var training: String?

    @Option(help: "A validation file.", completion: .file(extensions: ["jsonl"]))
    var validation: String?

    @Option(help: "The model to fine-tune, e.g. gpt-4o-mini-2024-07-18.")
    var baseModel: String?

    @Option(help: "Epochs (default: the platform's choice).")
    var epochs: Int?

    @Option(help: "A suffix for the fine-tuned model's name.")
    var suffix: String?

    @Flag(help: "Upload a training file with fewer examples than OpenAI's minimum of 10 (for platforms that take fewer).")
    var allowFew = false

    @Flag(help: "Send a base model the server does not list (for a platform that lists only the models it serves).")
    var allowUnlisted = false

    @Flag(help: "On success, make the fine-tuned model the openai engine's model in the config file.")
    var use = false

    @Option(help: "Show a job's status.")
    var status: String?

    @Option(help: "List a job's events.")
    var events: String?

    @Option(help: "Follow a job that is already running.")
    var follow: String?

    @Option(help: "Cancel a job.")
    var cancel: String?

    @Flag(help: "List recent jobs.")
    var list = false

    @Option(help: "Seconds between looks at a running job.")
    var poll: Double = 5

    func run() throws {
        guard poll >= Self.shortestPoll else {
            complain("--poll \(poll): give at least \(Self.shortestPoll) seconds between looks at a job (each look is a request; 5 or more suits a real platform)")
            throw ExitCode(64)
        }
        if let epochs, epochs < 1 {
            complain("--epochs \(epochs): give 1 or more (or leave it out for the platform's choice)")
            throw ExitCode(64)
        }
        if let training, let validation, TextFile.sameFile(training, validation) {
            complain("--validation \(Sanitize.line(validation)) is the training file: the training and validation files must differ")
            throw ExitCode(64)
        }
        let client = try EngineChoice.platform()
        do {
            if list {
                for job in try client.fineTuningJobs() { print(Sanitize.line(Self.describe(job))) }
                return
            }
            if let status { return print(Sanitize.line(Self.describe(try client.fineTuningJob(status)))) }
            if let events {
                for e in try client.fineTuningEvents(events) { print(Sanitize.line(Self.describe(e))) }
                return
            }
            if let cancel {
                let job = try client.cancelFineTuningJob(cancel)
                return print(Sanitize.line(Self.describe(job)))
            }
        } catch {
            // A job that is not there: the address is likely right, the id is not.
            if let job = status ?? events ?? cancel, case .api(404, let message, _, _, _) = error {
                complain(Sanitize.line("no fine-tuning job \(job) on this server (\(message)): flowsmith finetune --list shows the jobs"))
                throw ExitCode(1)
            }
            throw fail(error)
        }
        Interrupt.install()
        if let follow { return try followJob(follow, client: client) }
        guard let training else {
            complain("give the training file (flowsmith finetune train.jsonl --base-model MODEL), or --status/--events/--follow/--cancel JOB, or --list")
            throw ExitCode(64)
        }
        guard let baseModel else {
            complain("give the model to fine-tune: --base-model MODEL (for example gpt-4o-mini-2024-07-18)")
            throw ExitCode(64)
        }
        // Never upload a file the platform would refuse after a long wait.
        for path in [training] + (validation.map { [$0] } ?? []) {
            let result: Dataset.CheckResult
            do { result = Dataset.check(try TextFile.readBytes(path)) } catch { throw fail(error) }
            if let p = result.problems.first {
                complain(Sanitize.line("\(path):\(p.line): \(p.message)")
                    + (result.problems.count > 1 ? " (and \(result.problems.count - 1) more: flowsmith dataset --check \(path))" : ""))
                throw ExitCode(1)
            }
            if path == training, result.examples < Dataset.platformMinimum, !allowFew {
                complain(Sanitize.line("\(path): \(counted(result.examples, "example")); fine-tuning platforms need at least \(Dataset.platformMinimum) "
                    + "(OpenAI refuses the job after the upload): add flows to the dataset, or --allow-few for a platform that takes fewer"))
                throw ExitCode(1)
            }
        }
        // A base model the platform does not know is refused by it only after the upload: a
        // model the server's list lacks is refused here first (a list that cannot be had says nothing).
        if !allowUnlisted, let listed = try? client.models(), !listed.isEmpty, !listed.contains(baseModel) {
            let near = listed.map { ($0, Flowsmith.editDistance($0.lowercased(), baseModel.lowercased())) }
                .filter { $0.1 <= max(2, baseModel.count / 4) }.sorted { $0.1 < $1.1 }.prefix(3).map(\.0)
            let some = near.isEmpty ? listed.prefix(8).joined(separator: ", ") + (listed.count > 8 ? " …" : "") : near.joined(separator: ", ")
            complain(Sanitize.line("the server does not list the model \(baseModel) (\(near.isEmpty ? "it lists" : "did you mean") \(some)); "
                + "nothing was uploaded: check --base-model, or --allow-unlisted for a platform that does not list the models it fine-tunes"))
            throw ExitCode(1)
        }
        let trainingFile = try upload(training, client: client)
        let validationFile = try validation.map { try upload($0, client: client) }
        let job: FineTuningJob
        do {
            job = try client.createFineTuningJob(trainingFile: trainingFile.id, validationFile: validationFile?.id,
                                                 model: baseModel, epochs: epochs, suffix: suffix)
        } catch {
            throw fail(error)
        }
        print("job \(Sanitize.line(job.id)) created: fine-tuning \(Sanitize.line(baseModel)) on \(Sanitize.line(trainingFile.id))")
        try followJob(job.id, client: client)
    }

    func upload(_ path: String, client: OpenAIClient) throws -> RemoteFile {
        let live = LiveLine()
        let name = (path as NSString).lastPathComponent
        let transfer = HTTPTransfer(cancelCheck: { Interrupt.isSet })
        do {
            let file = try client.upload(path: path, purpose: "fine-tune", transfer: transfer) { sent, total in
                live.show("uploading \(name) " + LiveLine.bar(total == 0 ? 1 : Double(sent) / Double(total))
                    + String(format: "  %.1f/%.1f MiB", Double(sent) / 1_048_576, Double(total) / 1_048_576))
            }
            live.finish()
            print("uploaded \(Sanitize.line(name)) as \(Sanitize.line(file.id))")
            return file
        } catch {
            live.finish()
            if Interrupt.isSet { complain("upload stopped"); throw ExitCode(130) }
            throw fail(error)
        }
    }

    /// Follows a job until it ends, printing its events; Ctrl-C asks what to do with it.
    func followJob(_ id: String, client: OpenAIClient) throws {
        let live = LiveLine()
        let start = ContinuousClock.now
        var lastEvent: String?
        var latest = ""
        var job = FineTuningJob.placeholder(id)
        let again = "flowsmith finetune --follow \(Sanitize.line(id))" + (use ? " --use" : "")
        // Looks that failed in a row: the server's trouble (5xx, a dropped connection) is waited
        // out, as the job goes on without us; a few minutes of it, or a refusal, stops following.
        var failures = 0
        while true {
            let transfer = HTTPTransfer(cancelCheck: { Interrupt.isSet })
            do {
                job = try client.fineTuningJob(id, transfer: transfer)
                let new = try client.fineTuningEvents(id, after: lastEvent, transfer: transfer)
                if let last = new.last { lastEvent = last.id; latest = last.message }
                for e in new {
                    if live.isTerminal { if e.level != "info" { live.say(Self.describe(e)) } } else { print(Sanitize.line(Self.describe(e))) }
                }
                failures = 0
            } catch APIError.cancelled {
                job = FineTuningJob.placeholder(id)
            } catch {
                failures += 1
                let transient = (error as? APIError).map(Eval.serverWide) ?? false
                    && !{ if case .api(let s, _, _, _, _) = error as? APIError { return s == 401 || s == 403 } else { return false } }()
                if !transient || Double(failures) * poll > Self.patience || failures >= 100 {
                    live.finish()
                    complain(Sanitize.line("\(error)"))
                    complain("the job may still be running on the server; follow it again with: \(again)")
                    throw ExitCode(1)
                }
                let said = "server trouble (\(failures) in a row), trying again: " + Sanitize.line("\(error)")
                if live.isTerminal { live.show("\(id)  " + said) } else { complain(said) }
            }
            if job.isFinished { break }
            live.show("\(id)  \(job.status)" + (job.trainedTokens.map { "  \($0) tokens" } ?? "")
                + (latest.isEmpty ? "" : "  · \(latest)") + "  " + LiveLine.elapsed(start))
            nap(poll)
            if Interrupt.isSet {
                live.finish()
                if Interrupt.confirm("Cancel job \(Sanitize.line(id)) on the server?") {
                    do {
                        _ = try client.cancelFineTuningJob(id)
                        print("cancelled \(Sanitize.line(id))")
                    } catch {
                        throw fail(error)
                    }
                    throw ExitCode(130)
                }
                print("job \(Sanitize.line(id)) left running; follow it with: \(again) (or --status, --events, --cancel)")
                throw ExitCode(130)
            }
        }
        live.show("\(id)  \(job.status)  " + LiveLine.elapsed(start))
        live.finish()
        switch job.status {
        case "succeeded":
            let model = job.fineTunedModel ?? ""
            print("succeeded: \(Sanitize.line(model))" + (job.trainedTokens.map { " (\($0) trained tokens)" } ?? ""))
            if use, !model.isEmpty {
                try Self.use(model)
            } else if !model.isEmpty {
                print("next: compare it with the base model: flowsmith eval FLOWS --engine local,openai --model BASE --model \(Sanitize.line(model));"
                    + " make it the editor's: flowsmith finetune --follow \(Sanitize.line(id)) --use")
            }
        case "cancelled":
            complain("job \(Sanitize.line(id)) was cancelled")
            throw ExitCode(1)
        default:
            complain("job \(Sanitize.line(id)) failed: " + Sanitize.line(job.error ?? "the platform gave no reason"))
            throw ExitCode(1)
        }
    }

    /// The shortest wait between looks at a job or a batch: 0 sent tens of thousands of requests.
    static let shortestPoll = 0.05

    /// How long (seconds) a server in trouble is waited out while following a job.
    static let patience: Double = 300

    /// Makes `model` the openai engine's model in the config file, keeping the rest of the file.
    static func use(_ model: String) throws {
        let env = ProcessInfo.processInfo.environment
        let path = UserConfig.path(env)
        var text = TextFile.exists(path) ? ((try? TextFile.read(path)) ?? "") : ""
        text = Config.setting("model", to: model, in: text)
        text = Config.setting("engine", to: "openai", in: text)
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let existed = TextFile.exists(path)
            try TextFile.write(text, to: path)
            if !existed { chmod(path, 0o600) }
        } catch {
            throw fail(error)
        }
        print("\(path): engine = openai, model = \(Sanitize.line(model))")
        if let m = env["FLOWSMITH_MODEL"], !m.isEmpty {
            complain("note: FLOWSMITH_MODEL=\(Sanitize.line(m)) is set and wins over the config file; unset it to use the new model")
        }
    }

    static func describe(_ job: FineTuningJob) -> String {
        var parts = [job.id, job.status, job.model]
        if let m = job.fineTunedModel { parts.append("→ " + m) }
        if let t = job.trainedTokens { parts.append("\(t) tokens") }
        if let e = job.error { parts.append("error: " + e) }
        return parts.joined(separator: "  ")
    }

    static func describe(_ e: FineTuningEvent) -> String {
        let time = Date(timeIntervalSince1970: TimeInterval(e.createdAt))
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: time) + "  " + (e.level == "info" ? "" : e.level + ": ") + e.message
    }
}

extension FineTuningJob {
    /// Stands for a job whose state was not read because the user pressed Ctrl-C.
    static func placeholder(_ id: String) -> FineTuningJob {
        FineTuningJob(id: id, status: "running")
    }
}
