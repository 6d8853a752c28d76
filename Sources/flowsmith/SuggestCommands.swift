import ArgumentParser
import FlowCore
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

    @Argument(help: "The .flow.md file.")
    var file: String

    @Option(help: "Where: USECASE.STEP, e.g. 1.3 or 2.3a1.")
    var at: String

    @Option(help: "next, conditions or draft (default: next, or draft for an empty use case).")
    var kind: SuggestionKind?

    @Option(help: "local, openai, ollama, llamacpp or vllm (default: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set, else local).")
    var engine: String?

    @Flag(help: "With a remote engine, do not fall back to the local model when it fails.")
    var noFallback = false

    @Option(name: .short, help: "How many suggestions.")
    var n: Int = 3

    func run() throws {
        let flow = try loadFlow(file).flow
        guard let node = try Self.position(at, in: flow) else { throw ExitCode(1) }
        guard let (context, _) = SuggestionContext.at(node, in: flow, kind: kind) else {
            complain("cannot suggest at \(at)")
            throw ExitCode(1)
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
    static func position(_ text: String, in flow: Flow) throws -> NodeID? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let ucNumber = Int(parts[0]), ucNumber >= 1, ucNumber <= flow.useCases.count else {
            complain("no use case \(parts[0]) (there are \(flow.useCases.count)); positions look like 1.3 or 2.3a1")
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

    @Argument(help: "A folder of your own .flow.md files (searched recursively).")
    var directory: String?

    @Flag(help: "Leave the bundled corpus out.")
    var noCorpus = false

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        var flows: [Flow] = []
        var sources: [String] = []
        if let directory {
            let (found, problems) = ModelStore.flows(in: directory)
            for p in problems { complain("skipped \(Sanitize.line(p))") }
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
            + "in \(ContinuousClock.now - start); saved \(path)")
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

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure suggestion quality on flows with known answers: hit@1, hit@k, near@k and token F1.",
        discussion: """
            Every step of every scenario in PATH (a .flow.md file or a folder) is a question: \
            given the steps before it, what comes next? Every step with extensions also asks for \
            conditions. The local engine is cross-validated: the files are split into --folds \
            groups and each group is asked of a model trained on the other files (and, unless \
            --no-corpus, the bundled corpus, less the use cases asked about); a file's other use \
            cases count as its own, as in the editor. A single file is asked of a model that never \
            learned it. A remote engine is asked as it is (--limit caps \
            the number of requests). hit counts exact answers (ignoring case and punctuation); \
            near@k counts answers with token F1 >= 0.5 (words, or single Chinese characters).
            """)

    @Argument(help: "A .flow.md file or a folder of them (default: the bundled corpus).")
    var path: String?

    @Option(help: "local, openai, ollama, llamacpp or vllm (default: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set, else local).")
    var engine: String?

    @Option(help: "next or conditions (default: both; drafts are not measured).")
    var kind: SuggestionKind?

    @Option(name: .short, help: "How many suggestions count (the k of hit@k).")
    var k: Int = 3

    @Option(help: "Cross-validation folds (groups of files) for the local engine.")
    var folds: Int = 10

    @Option(help: "Ask at most this many questions (spread evenly over the flows).")
    var limit: Int?

    @Option(help: "Print this many questions with the answers given (spread evenly), to see where it misses.")
    var show: Int = 0

    @Flag(help: "With the local engine, do not learn the bundled corpus besides the flows evaluated.")
    var noCorpus = false

    func run() throws {
        if kind == .draft {
            complain("eval measures next steps and conditions (--kind next or --kind conditions); drafts have no single right answer")
            throw ExitCode(1)
        }
        let env = ProcessInfo.processInfo.environment
        let corpus = ModelStore.corpusDirectory(env, executable: CommandLine.arguments[0])
        guard let target = path ?? corpus else {
            complain("no flows to evaluate: give a .flow.md file or a folder")
            throw ExitCode(1)
        }
        var flows: [Flow] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            complain("\(target): no such file or folder")
            throw ExitCode(1)
        }
        if isDirectory.boolValue {
            let (found, problems) = ModelStore.flows(in: target)
            for p in problems { complain("skipped \(Sanitize.line(p))") }
            flows = found
        } else {
            flows = [try loadFlow(target).flow]
        }
        let kinds: Set<SuggestionKind> = kind.map { [$0] } ?? [.nextStep, .conditions]
        var cases = Evaluation.cases(from: flows, kinds: kinds)
        if let limit, limit > 0, cases.count > limit {
            let stride = Double(cases.count) / Double(limit)
            cases = (0..<limit).map { cases[Int(Double($0) * stride)] }
        }
        guard !cases.isEmpty else {
            complain("\(target): no steps to ask about")
            throw ExitCode(1)
        }
        let config = try UserConfig.load(env)
        var choice = EngineChoice.resolve(flag: engine, config: config.settings, env: env)
        choice.fallback = false
        let every = show > 0 ? max(1, cases.count / show) : Int.max
        var seen = 0
        let observe = { (c: EvaluationCase, found: [String]) in
            defer { seen += 1 }
            guard show > 0, seen % every == 0 else { return }
            let ctx = c.context
            print(Sanitize.line("[\(ctx.kind.rawValue)] \(ctx.useCase)" + (ctx.condition.map { " / \($0)" } ?? "")))
            if let last = ctx.stepsSoFar.last { print(Sanitize.line("  after:  \(last)")) }
            for t in c.truths { print(Sanitize.line("  author: \(t)")) }
            for f in found { print(Sanitize.line(String(format: "  %.2f    ", c.truths.map { Evaluation.f1(f, $0) }.max() ?? 0) + f)) }
        }
        let start = ContinuousClock.now
        let reports: [EvaluationReport]
        let label: String
        if choice.engine == "local" {
            // The flows evaluated must not be learned twice when they are the corpus itself.
            let standardized = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
            let extra = noCorpus || corpus.map(standardized) == standardized(target) ? [] : corpus.map { ModelStore.flows(in: $0).flows } ?? []
            reports = Evaluation.crossValidated(cases, learning: flows, folds: folds, k: k, extra: extra, observe: observe)
            let groups = max(1, min(folds, flows.count))
            label = (groups > 1 ? "local model, \(groups)-fold cross-validated by file" : "local model, not trained on the file")
                + (extra.isEmpty ? "" : ", with the bundled corpus")
        } else {
            let chosen = try choice.make(local: EngineChoice.localEngine(env: env, executable: CommandLine.arguments[0]),
                                         noticed: { complain(Sanitize.line($0)) })
            reports = Evaluation.run(cases, k: k, observe: observe) { ctx, n in
                try chosen.suggest(ctx, count: n, partial: { _ in }, isCancelled: { false })
            }
            label = "\(choice.engine)" + (choice.model.map { " (\($0))" } ?? "")
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(Sanitize.line("\(target): \(flows.count) file\(flows.count == 1 ? "" : "s"), \(cases.count) questions, "
            + String(format: "%.1f s", seconds)))
        print(Sanitize.line("engine: \(label)"))
        for r in reports { print(r.summary.split(separator: "\n").map { Sanitize.line(String($0)) }.joined(separator: "\n")) }
        print("hit: the author's own words (ignoring case and punctuation); near: shares at least half its "
            + "words (or Chinese characters) with them (token F1 >= 0.5); F1: word overlap, 0 to 1.")
        // An engine that failed every question measured nothing: say so in the exit status.
        if reports.allSatisfy({ $0.failed == $0.cases }) {
            complain("every question failed: " + Sanitize.line(reports.first?.firstError ?? "no answer"))
            throw ExitCode(1)
        }
    }
}
