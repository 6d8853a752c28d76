import ArgumentParser
import FlowCore
import FlowDesigner
import FlowFormats
import FlowSuggest
import OpenAIClient
import Foundation

extension SuggestionKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print suggestions for a place in a flow (for scripts and debugging).",
        discussion: """
            POSITION names a use case and a step: 1.3 is after step 3 of use case 1, 2.3a1 after \
            step 3a1 of use case 2, 2.3a at the end of extension 3a, and 1 (or 1.0) the end of \
            use case 1's main scenario (a draft when it has no steps). With --kind conditions it asks what can go wrong at the step instead; \
            --kind draft drafts a whole main scenario from the use case's title and goal.
            """)

    @Argument(help: "The .flow.md file.", completion: .file(extensions: ["md"]))
    var file: String

    @Option(help: "Where: USECASE.STEP, e.g. 1.3 or 2.3a1, or as the editor's status line says it (UC 2 · 3a1).")
    var at: String

    @Option(help: "next, conditions or draft (default: next, or draft for an empty use case).")
    var kind: SuggestionKind?

    @Option(help: "local, openai, ollama, llamacpp or vllm (default: the config's engine, else openai when a key or server address is set, else local).",
            completion: .list(Config.engineNames))
    var engine: String?

    @Flag(help: "With a remote engine, do not fall back to the local model when it fails.")
    var noFallback = false

    @Option(name: .short, help: "How many suggestions (1 to 20); at the end of an extension, its endings are offered too, the likeliest first.")
    var n: Int = 3

    func run() throws {
        guard (1...20).contains(n) else {
            complain("-n \(n): ask for 1 to 20 suggestions")
            throw ExitCode(64)
        }
        let flow = try loadFlow(file).flow
        guard let node = try Self.position(at, in: flow) else { throw ExitCode(1) }
        guard let (context, _) = SuggestionContext.at(node, in: flow, kind: kind) else {
            complain("cannot suggest at \(at)")
            throw ExitCode(1)
        }
        // What was asked for is what is answered, or said why not (never steps for conditions).
        if let kind, kind != context.kind {
            complain(kind == .draft ? "--kind draft drafts a use case's main scenario: give the use case's number (--at 1)"
                : kind == .conditions ? "--kind conditions asks what can go wrong at a step: give a step (--at 1.2)"
                : "--kind next asks for the step after one: give a step (--at 1.2) or an extension")
            throw ExitCode(64)
        }
        let env = ProcessInfo.processInfo.environment
        let config = try UserConfig.load(env)
        var choice = EngineChoice.resolve(flag: engine, config: config.settings, env: env)
        if noFallback { choice.fallback = false }
        let local = EngineChoice.localEngine(env: env, executable: CommandLine.arguments[0])
        do {
            let chosen = try choice.make(local: local, noticed: { complain(Sanitize.line($0)) })
            let found = try chosen.suggest(context, count: max(1, n), partial: { _ in }, isCancelled: { false })
            for (i, text) in found.enumerated() {
                if context.kind == .draft {
                    if i > 0 { print("") }
                    for (j, line) in text.split(separator: "\n").enumerated() { print(Sanitize.line("\(j + 1). \(line)")) }
                } else {
                    print(Sanitize.line(text))
                }
            }
        } catch {
            complain("\(error)")
            throw ExitCode(1)
        }
    }

    /// Reads USECASE[.STEP] into the node it names, printing why when it names nothing.
    static func position(_ written: String, in flow: Flow) throws -> NodeID? {
        // (Typed with a Chinese input method on, "1．３ａ" is 1.3a.) The editor's status line says
        // a place as "UC 2 · 3a1": copied from there, it is the same place as 2.3a1.
        var text = Fullwidth.halfwidth(written).trimmingCharacters(in: .whitespaces)
        if text.lowercased().hasPrefix("uc") { text = String(text.dropFirst(2)) }
        text = text.replacingOccurrences(of: "·", with: ".").filter { !$0.isWhitespace }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let ucNumber = Int(parts[0]) else {
            complain(Sanitize.line("\(written) is no place in the flow; places look like 1.3 or 2.3a1 (use case 1, after step 3 …), or as the editor's status line says them (UC 2 · 3a1)"))
            return nil
        }
        guard ucNumber >= 1, ucNumber <= flow.useCases.count else {
            complain("no use case \(ucNumber) (there \(flow.useCases.count == 1 ? "is 1" : "are \(flow.useCases.count)")); places look like 1.3 or 2.3a1")
            return nil
        }
        let uc = flow.useCases[ucNumber - 1]
        let step = parts.count > 1 ? String(parts[1]) : ""
        if step.isEmpty || step == "0" { return uc }
        guard let node = flow.node(numbered: step.lowercased(), in: uc) else {
            complain("no step \(step) in use case \(ucNumber)")
            return nil
        }
        return node
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the local suggestion model on a folder of .flow.md files (plus the bundled corpus).")

    @Argument(help: "A folder of your own .flow.md files (searched recursively).", completion: .directory)
    var directory: String?

    @Flag(help: "Leave the bundled corpus out.")
    var noCorpus = false

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        var flows: [Flow] = []
        var sources: [String] = []
        if let directory {
            // A mistyped folder trains nothing: the model trained before stays (it was replaced
            // by one of the bundled corpus alone).
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), isFolder.boolValue else {
                complain(Sanitize.line("\(directory): no such folder; nothing was trained and the model is unchanged"))
                throw ExitCode(1)
            }
            let (found, problems) = ModelStore.flows(in: directory)
            for p in problems { complain("skipped \(Sanitize.line(p))") }
            guard !found.isEmpty else {
                complain(Sanitize.line("\(directory): no .flow.md file in it could be read; nothing was trained and the model is unchanged"))
                throw ExitCode(1)
            }
            flows += found
            sources.append("\(found.count) files from \(directory)")
        }
        if !noCorpus, let corpus = ModelStore.corpusDirectory(env, executable: CommandLine.arguments[0]) {
            let found = ModelStore.flows(in: corpus).flows
            flows += found
            sources.append("\(found.count) bundled files")
        }
        guard !flows.isEmpty else {
            complain("nothing to learn from: give a folder of .flow.md files")
            throw ExitCode(1)
        }
        let start = ContinuousClock.now
        let model = LocalModel(examples: LocalModel.examples(from: flows))
        let path = ModelStore.modelPath(env)
        do {
            try ModelStore.save(model, to: path)
        } catch {
            complain("cannot save the model: \(error)")
            throw ExitCode(1)
        }
        let steps = flows.reduce(0) { $0 + $1.stepCount }
        print("trained on \(sources.joined(separator: " and ")): \(steps) steps, \(model.examples.count) examples, "
            + String(format: "in %.1f s; saved ", (ContinuousClock.now - start).inSeconds) + path)
    }
}

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models the configured OpenAI-compatible server offers (to pick FLOWSMITH_MODEL).")

    @Option(help: "openai, ollama, llamacpp or vllm (default: from OPENAI_BASE_URL or the config file).")
    var engine: String?

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let config = try UserConfig.load(env)
        let choice = EngineChoice.resolve(flag: engine ?? "openai", config: config.settings, env: env)
        var configuration = OpenAIClient.Configuration(baseURL: choice.baseURL ?? "https://api.openai.com/v1", apiKey: choice.apiKey)
        configuration.timeouts = EngineChoice.timeouts(env)
        do {
            for id in try OpenAIClient(configuration).models() { print(Sanitize.line(id)) }
        } catch {
            complain(Sanitize.line(error.description))
            throw ExitCode(1)
        }
    }
}
