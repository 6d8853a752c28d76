import ArgumentParser
import FlowCore
import FlowFormats
import FlowSuggest
import Foundation
import OpenAIClient
import Synchronization

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure suggestion quality of engines side by side: accuracy, hit@k, precision, recall, F1, near@k.",
        discussion: """
            Every step of every scenario in PATH is a question: given the steps before it, what \
            comes next? Every step with extensions also asks for its conditions. Engines that \
            learn from flows (local, baseline) are cross-validated: the files are split into \
            --folds groups and each group is asked of a model trained on the other files (and, \
            unless --no-corpus, the bundled corpus less the use cases asked about). With --test \
            DIR they learn PATH and are asked DIR's questions instead. Remote engines are asked \
            as they are, --concurrency requests at a time, or in one batch with --batch.

            Measures, per kind: accuracy@1 (the first suggestion is the author's text, ignoring \
            case and punctuation), hit@k (one of the first k is), precision, recall and F1 of the \
            first suggestion's tokens against the author's text (tokens: lowercased words and \
            numbers for Latin scripts, single characters for Chinese, Japanese and Korean; \
            punctuation dropped), near@k (one of the first k has F1 >= 0.5), best F1@k.
            """)

    @Argument(help: "Flow files or folders (default: the bundled corpus).", completion: .file())
    var paths: [String] = []

    @Option(help: "Engines, comma-separated: local, baseline, openai (ollama, llamacpp, vllm), or all.")
    var engine: String?

    @Option(help: "A model for the remote engine; repeat to compare models (base and fine-tuned) on the same questions.")
    var model: [String] = []

    @Option(name: .customLong("kind"), help: "next or conditions (default: both; drafts are not measured).")
    var measured: MeasuredKind?

    /// What is measured, as the engines name it.
    var kind: SuggestionKind? { measured.map { SuggestionKind(rawValue: $0.rawValue) ?? .nextStep } }

    @Option(name: .short, help: "How many suggestions count (the k of hit@k).")
    var k: Int = 3

    @Option(help: "Cross-validation folds (groups of files) for the engines that learn.")
    var folds: Int = 10

    @Option(help: "Ask the questions of the flows in this folder; the engines that learn learn PATH.", completion: .directory)
    var test: String?

    @Option(help: "Ask at most this many questions (spread evenly over the flows).")
    var limit: Int?

    @Option(help: "Remote requests at a time.")
    var concurrency: Int = 4

    @Flag(help: "Print the figures as JSON.")
    var json = false

    @Option(help: "Print this many questions with the answers given (spread evenly), to see where it misses.")
    var show: Int = 0

    @Flag(help: "With the engines that learn, leave the bundled corpus out.")
    var noCorpus = false

    @Flag(help: "Ask remote engines through the platform's Batch API (upload, create, follow, download, score).")
    var batch = false

    @Option(help: "Only write the questions as a Batch API input file (for vLLM's run-batch, or to upload later).", completion: .file(extensions: ["jsonl"]))
    var batchFile: String?

    @Option(help: "Score a Batch API results file made from the same questions.", completion: .file(extensions: ["jsonl"]))
    var batchResults: String?

    @Option(help: "Seconds between looks at a running batch.")
    var poll: Double = 10

    @Option(help: "Follow and score a batch created earlier (left running, or interrupted) instead of creating one (same PATH, --kind, --limit, -k and --model).")
    var batchID: String?

    /// A column of the table.
    struct Column {
        var name: String
        var label: String
        var reports: [EvaluationReport]
        /// Questions never sent: the server failed every question before them in a row.
        var notAsked = 0
        /// Each question's answer, in the questions' order (for --show).
        var answers: [Evaluation.Answer] = []
    }

    func run() throws {
        // Numbers that would measure nothing, or flood a server with requests.
        for (name, value, least) in [("-k", k, 1), ("--concurrency", concurrency, 1), ("--limit", limit ?? 1, 1), ("--show", show, 0)] where value < least {
            complain("\(name) \(value): give \(least) or more")
            throw ExitCode(64)
        }
        guard poll >= Finetune.shortestPoll else {
            complain("--poll \(poll): give at least \(Finetune.shortestPoll) seconds between looks at a batch (each look is a request; 10 or more suits a real platform)")
            throw ExitCode(64)
        }
        if !model.isEmpty, let engine, !engine.split(separator: ",").contains(where: { !["local", "baseline"].contains($0.trimmingCharacters(in: .whitespaces).lowercased()) }) {
            complain("--model \(Sanitize.line(model.joined(separator: ", "))) names a remote model, but --engine \(Sanitize.line(engine)) asks none: add openai (--engine \(Sanitize.line(engine)),openai)")
            throw ExitCode(64)
        }
        if batchID != nil, !batch {
            complain("--batch-id follows a batch: give --batch too")
            throw ExitCode(64)
        }
        if batchID != nil, model.count > 1 {
            complain("--batch-id follows one batch, of one model: give one --model")
            throw ExitCode(64)
        }
        guard folds >= 2 else {
            complain("--folds \(folds): cross-validation needs at least 2 folds (each is asked of a model trained on the others)")
            throw ExitCode(64)
        }
        if kind == .draft {
            complain("eval measures next steps and conditions (--kind next or --kind conditions); drafts have no single right answer")
            throw ExitCode(64)
        }
        let env = ProcessInfo.processInfo.environment
        let corpus = ModelStore.corpusDirectory(env, executable: CommandLine.arguments[0])
        let targets = paths.isEmpty ? corpus.map { [$0] } ?? [] : paths
        guard !targets.isEmpty else {
            complain("no flows to evaluate: give a .flow.md file or a folder")
            throw ExitCode(64)
        }
        let config = try UserConfig.load(env)
        let engines = try Self.engines(engine, models: model, batchResults: batchResults != nil, config: config.settings, env: env)
        if let batchFile { try Library.refuseOverwriting([batchFile], inputs: targets + (test.map { [$0] } ?? [])) }
        let learning = try Library.load(targets).map(\.flow)
        let asked = try test.map { try Library.load([$0]).map(\.flow) } ?? learning
        let kinds: Set<SuggestionKind> = kind.map { [$0] } ?? [.nextStep, .conditions]
        var cases = Evaluation.cases(from: asked, kinds: kinds)
        if let limit, limit > 0, cases.count > limit {
            let stride = Double(cases.count) / Double(limit)
            cases = (0..<limit).map { cases[Int(Double($0) * stride)] }
        }
        guard !cases.isEmpty else {
            complain("\(Sanitize.line(test ?? targets.joined(separator: ", "))): no steps to ask about")
            throw ExitCode(1)
        }
        let remote = engines.filter { !["local", "baseline"].contains($0.engine) }
        if let batchFile {
            guard remote.count == 1, let only = remote.first else {
                complain("--batch-file writes the questions for one model: give one --model (or one remote --engine)")
                throw ExitCode(64)
            }
            let engine = OpenAIEngine(client: OpenAIClient(.init(baseURL: only.baseURL ?? "https://api.openai.com/v1", apiKey: nil)),
                                      model: only.model ?? "gpt-4o-mini", library: EngineChoice.library(env))
            let lines = cases.enumerated().map { i, c in
                BatchFile.requestLine(customID: Self.customID(i, c, k: k), model: engine.model,
                                      messages: engine.messages(c.context, count: k))
            }
            do { try TextFile.write(lines.map { $0 + "\n" }.joined(), to: batchFile) } catch { throw fail(error) }
            print("wrote \(batchFile): \(lines.count) requests for \(Sanitize.line(only.model ?? "gpt-4o-mini")); "
                + "score the results with: flowsmith eval \(paths.joined(separator: " ")) --batch-results RESULTS.jsonl (same PATH, --kind, --limit and -k)")
            return
        }

        let standardized = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        let targetIsCorpus = corpus.map { c in targets.map(standardized) == [standardized(c)] } ?? false
        let extra = noCorpus || targetIsCorpus ? [] : corpus.map { ModelStore.flows(in: $0).flows } ?? []
        let live = json ? LiveLine.silent : LiveLine()
        let start = ContinuousClock.now
        var columns: [Column] = []
        Interrupt.install()
        // Every remote model's batch is created before any is followed: on the platform they run
        // side by side (a base model and its fine-tuned one took twice as long one after another).
        var started: [String: (model: String, batch: Batch)] = [:]
        var down: [String: APIError] = [:]
        if batch {
            for choice in engines where !["local", "baseline", "results"].contains(choice.engine) {
                let name = Self.columnName(choice, among: engines)
                let engine = OpenAIEngine(client: try choice.client(rateLimitRetries: 8), model: choice.model ?? "gpt-4o-mini",
                                          library: EngineChoice.library(env))
                if let reason = Self.unreachable(try choice.client(maxRetries: 1), model: engine.model) {
                    down[name] = reason
                    continue
                }
                started[name] = (engine.model, try startBatch(cases, engine: engine, live: live))
            }
        }
        for choice in engines {
            let name = Self.columnName(choice, among: engines)
            var seen = 0
            var shown = ContinuousClock.now - .seconds(1)
            // The bar moves with every answer, at most ten times a second (the local model
            // answers thousands a second; a remote one may take seconds for each).
            let tick = { (_: EvaluationCase, _: [String]) in
                seen += 1
                let now = ContinuousClock.now
                if now - shown >= .milliseconds(100) || seen == cases.count {
                    shown = now
                    live.show("eval \(name) \(seen)/\(cases.count) " + LiveLine.bar(Double(seen) / Double(cases.count)))
                }
            }
            switch choice.engine {
            case "local", "baseline":
                let answers = learnerAnswers(choice.engine, cases: cases, learning: learning, extra: extra, observe: tick)
                let label = choice.engine == "local" ? "local model" : "baseline (most frequent after the same actor and verb)"
                columns.append(Column(name: name, label: label + learnerNote(extra: extra, documents: learning.count),
                                      reports: Evaluation.score(cases, answers, k: k), answers: answers))
            case "results":
                columns.append(try scoreResults(cases))
            default:
                // Rate limits are waited out (a long evaluation meets them); other failures are
                // retried as for a suggestion, and a server that keeps failing stops the run.
                let client = try choice.client(rateLimitRetries: 8)
                let remoteEngine = OpenAIEngine(client: client, model: choice.model ?? "gpt-4o-mini", library: EngineChoice.library(env))
                live.show("eval \(name): asking \(Sanitize.line(choice.baseURL ?? "https://api.openai.com/v1"))…")
                let answers: [Evaluation.Answer]
                if let down = try down[name] ?? (batch ? nil : Self.unreachable(choice.client(maxRetries: 1), model: remoteEngine.model)) {
                    // A server that cannot be reached or refuses the key would fail every question,
                    // each after its retries: say so now.
                    answers = cases.map { _ in .failure(.init(Sanitize.line("\(down)"))) }
                } else if batch, let mine = started[name] {
                    let others = started.filter { $0.key != name }.map(\.value).sorted { $0.batch.id < $1.batch.id }
                    answers = try batchAnswers(cases, engine: remoteEngine, batch: mine.batch, others: others, live: live)
                    started[name] = nil
                } else {
                    answers = askConcurrently(cases, engine: remoteEngine, observe: tick)
                }
                let notAsked = answers.filter { answer in
                    if case .failure(let e) = answer { return "\(e)".hasPrefix("not asked") }
                    return false
                }.count
                columns.append(Column(name: name, label: "\(choice.baseURL ?? "https://api.openai.com/v1"), model \(remoteEngine.model)"
                                      + (batch ? ", by batch" : ""), reports: Evaluation.score(cases, answers, k: k), notAsked: notAsked,
                                      answers: answers))
            }
            live.finish()
            if Interrupt.isSet { complain("stopped"); throw ExitCode(130) }
            showAnswers(cases, columns.last?.answers ?? [], engine: engines.count > 1 ? name : nil)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.inSeconds
        let questionsFrom = test ?? targets.joined(separator: " ")
        if json {
            print(Self.json(columns, cases: cases, k: k, source: questionsFrom, seconds: seconds))
        } else {
            let counts = SuggestionKind.allCases.compactMap { kind -> String? in
                let n = cases.filter { $0.context.kind == kind }.count
                return n == 0 ? nil : "\(kind.rawValue) \(n)"
            }
            print(Sanitize.line("\(questionsFrom): \(asked.count) file\(asked.count == 1 ? "" : "s"), \(cases.count) questions (\(counts.joined(separator: ", "))), "
                + String(format: "%.1f s", seconds)))
            print(Self.table(columns, k: k))
            for c in columns { print(Sanitize.line("\(c.name): \(c.label)")) }
            print("accuracy@1, hit@\(k): the author's own words (ignoring case and punctuation); precision, recall, F1: tokens of the "
                + "first suggestion (words, or Chinese characters); near@\(k): one of \(k) with F1 >= 0.5.")
            if columns.contains(where: { $0.reports.contains { $0.failed > 0 } }) {
                print("failed: questions the engine gave no answer to (the server's trouble, or none it could use); they count as misses "
                    + "in every figure above, so compare engines on runs without failures.")
            }
        }
        // An engine that failed every question measured nothing: say so in the exit status. One
        // that failed some is said too, with why: its figures count those as unanswered.
        for c in columns where c.reports.allSatisfy({ $0.failed == $0.cases }) {
            complain("\(c.name): every question failed" + (c.notAsked > 0 ? " (\(c.notAsked) not asked after failures in a row)" : "")
                     + ": " + Sanitize.line(c.reports.first?.firstError ?? "no answer"))
            throw ExitCode(1)
        }
        for c in columns {
            let failed = c.reports.reduce(0) { $0 + $1.failed }, asked = c.reports.reduce(0) { $0 + $1.cases }
            guard failed > 0, let why = c.reports.lazy.compactMap(\.firstError).first else { continue }
            let notAsked = c.notAsked
            complain("\(c.name): \(failed) of \(asked) questions failed (counted as unanswered)"
                     + (notAsked > 0 ? ", \(notAsked) of them not asked after failures in a row" : "") + ", the first: " + Sanitize.line(why))
        }
    }

    // MARK: Engines

    /// The engines asked for, in order; each remote one once per model.
    static func engines(_ flag: String?, models: [String], batchResults: Bool, config: [String: String], env: [String: String]) throws -> [EngineChoice] {
        var names: [String]
        if let flag {
            names = flag.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            if names.contains("all") {
                let configured = EngineChoice.resolve(flag: nil, config: config, env: env).engine != "local" || !models.isEmpty
                names = names.flatMap { $0 == "all" ? ["local", "baseline"] + (configured ? ["openai"] : []) : [$0] }
            }
        } else if batchResults {
            names = []
        } else if !models.isEmpty {
            names = ["openai"]
        } else {
            names = [EngineChoice.resolve(flag: nil, config: config, env: env).engine]
        }
        var out: [EngineChoice] = []
        for name in names {
            if name == "baseline" || name == "local" {
                if !out.contains(where: { $0.engine == name }) { out.append(EngineChoice(engine: name, fallback: false)) }
                continue
            }
            var choice = EngineChoice.resolve(flag: name, config: config, env: env)
            guard choice.engine == "openai" else {
                complain("unknown engine \"\(Sanitize.line(name))\": local, baseline, openai, ollama, llamacpp, vllm or all")
                throw ExitCode(64)
            }
            choice.fallback = false
            for m in models.isEmpty ? [choice.model] : models.map(Optional.some) {
                var c = choice
                c.model = m
                out.append(c)
            }
        }
        if batchResults { out.append(EngineChoice(engine: "results", fallback: false)) }
        return out
    }

    static func columnName(_ c: EngineChoice, among all: [EngineChoice]) -> String {
        guard !["local", "baseline", "results"].contains(c.engine) else { return c.engine }
        return all.filter({ $0.engine == "openai" }).count > 1 || c.model != nil ? (c.model ?? "openai") : "openai"
    }

    func learnerNote(extra: [Flow], documents: Int) -> String {
        (test != nil ? ", learned \(paths.isEmpty ? "the bundled corpus" : paths.joined(separator: " ")), asked \(test!)"
            : max(2, min(folds, documents)) > 1 && documents > 1 ? ", \(max(2, min(folds, documents)))-fold cross-validated by file"
            : ", not trained on the file") + (extra.isEmpty ? "" : ", with the bundled corpus")
    }

    /// Answers from an engine that learns from flows, never from the use cases it is asked about.
    func learnerAnswers(_ engine: String, cases: [EvaluationCase], learning: [Flow], extra: [Flow],
                        observe: @escaping (EvaluationCase, [String]) -> Void) -> [Evaluation.Answer] {
        // What each document and the library teach, read once; each fold takes its share.
        let baseline = engine == "baseline"
        let documentCases = baseline ? learning.map { Evaluation.cases(from: [$0]) } : []
        let documentExamples = baseline ? [] : learning.map { LocalModel.examples(from: [$0]) }
        let extraCases = baseline ? Evaluation.cases(from: extra) : []
        let extraExamples = baseline ? [] : LocalModel.examples(from: extra)
        let make = { (documents: [Int], held: Set<String>) -> (SuggestionContext, Int) -> [String] in
            if baseline {
                let model = BaselineModel(cases: (documents.flatMap { documentCases[$0] } + extraCases).filter { !held.contains($0.group) })
                return { model.suggest($0, count: $1) }
            }
            let model = LocalModel(examples: (documents.flatMap { documentExamples[$0] } + extraExamples).filter { !held.contains($0.useCase) })
            return { model.suggest($0, count: $1) }
        }
        if test != nil {
            // A separate test set: learn everything but the use cases asked about.
            let held = Set(cases.map(\.group))
            let suggest = make(Array(learning.indices), held)
            return cases.map { c in
                let found = suggest(c.context, k)
                observe(c, Array(found.prefix(k)))
                return .success(found)
            }
        }
        return Evaluation.crossValidatedAnswers(cases, documents: learning.count, folds: folds, k: k, observe: observe, make: make)
    }

    /// Why the server cannot answer at all, asked once (its model list, one retry): it cannot be
    /// reached, or it refuses the key. Nil when it answers, or fails in a way one question may not.
    static func unreachable(_ client: OpenAIClient, model: String? = nil) -> APIError? {
        do {
            let listed = try client.models()
            // A model the server does not list is said before every question is asked of it. Only
            // said: some servers answer whatever model is named (llama.cpp's serves its one).
            if let model, !listed.isEmpty, !listed.contains(model) {
                let some = listed.prefix(8).map(Sanitize.line).joined(separator: ", ") + (listed.count > 8 ? " …" : "")
                complain("warning: the server does not list the model \(Sanitize.line(model)) (it lists \(some)); asking it all the same")
            }
            return nil
        } catch {
            // (A model list that fails with 5xx says nothing of the chat: some servers have none.)
            if case .api(let status, _, _, _, _) = error, status >= 500 { return nil }
            return serverWide(error) ? error : nil
        }
    }

    /// Asks a remote engine every question, `concurrency` at a time; the client waits out 429s
    /// as the server's Retry-After says. When the server goes away or starts refusing the key
    /// (`stopAfter` such failures in a row), the questions not yet asked fail with that reason
    /// instead of each waiting out its retries.
    func askConcurrently(_ cases: [EvaluationCase], engine: OpenAIEngine,
                         observe: (EvaluationCase, [String]) -> Void) -> [Evaluation.Answer] {
        final class Shared: Sendable {
            let next = Atomic<Int>(0)
            let answers: Mutex<[Evaluation.Answer?]>
            let finished = Mutex<[Int]>([])
            let signal = DispatchSemaphore(value: 0)
            /// Failures in a row that no question can escape (the server gone, the key refused), and the last one.
            let down = Mutex<(count: Int, reason: String?)>((0, nil))
            let workers: Atomic<Int>
            init(_ n: Int, workers: Int) {
                answers = Mutex([Evaluation.Answer?](repeating: nil, count: n))
                self.workers = Atomic(workers)
            }
        }
        let workers = max(1, min(concurrency, 32, cases.count))
        // Counted in thirds (see `down`): as many failures in a row as requests run at once, at
        // least 3, or three times as many 5xx.
        let stopAfter = 3 * max(3, workers)
        let shared = Shared(cases.count, workers: workers)
        let k = self.k
        for _ in 0..<workers {
            Thread.detachNewThread {
                defer {
                    shared.workers.subtract(1, ordering: .relaxed)
                    shared.signal.signal()
                }
                while !Interrupt.isSet, shared.down.withLock({ $0.count < stopAfter }) {
                    let i = shared.next.add(1, ordering: .relaxed).oldValue
                    guard i < cases.count else { break }
                    let answer: Evaluation.Answer
                    do {
                        answer = .success(try engine.suggest(cases[i].context, count: k, partial: { _ in }, isCancelled: { Interrupt.isSet }))
                        shared.down.withLock { $0 = (0, nil) }
                    } catch {
                        let reason = Sanitize.line("\(error)")
                        answer = .failure(.init(reason))
                        // A server gone or refusing the key counts fully; a 5xx (which may be
                        // this question's alone) counts a third, so only a long run of them stops.
                        if let api = error as? APIError, Self.serverWide(api) {
                            let weight = if case .api(let status, _, _, _, _) = api, status >= 500 { 1 } else { 3 }
                            shared.down.withLock { $0 = ($0.count + weight, reason) }
                        }
                    }
                    shared.answers.withLock { $0[i] = answer }
                    shared.finished.withLock { $0.append(i) }
                    shared.signal.signal()
                }
            }
        }
        // Answers are observed (progress, --show) on this thread, as they come.
        var count = 0
        while count < cases.count {
            if shared.signal.wait(timeout: .now() + 0.2) == .timedOut {
                if Interrupt.isSet { break }
                continue
            }
            for i in shared.finished.withLock({ f in defer { f = [] }; return f }) {
                count += 1
                let answer = shared.answers.withLock { $0[i] }
                observe(cases[i], (try? answer?.get()).flatMap { $0.map { Array($0.prefix(k)) } } ?? [])
            }
            if shared.workers.load(ordering: .relaxed) == 0 && shared.finished.withLock({ $0.isEmpty }) { break }
        }
        let stopped = shared.down.withLock { $0.count >= stopAfter ? $0.reason : nil }
        return shared.answers.withLock {
            $0.map { $0 ?? .failure(.init(stopped.map { "not asked: the questions before failed in a row: \($0)" } ?? "not asked: stopped")) }
        }
    }

    /// A failure no other question will escape: the server cannot be reached, refuses the key,
    /// or fails (5xx) even after its retries.
    static func serverWide(_ error: APIError) -> Bool {
        switch error {
        case .network: return true
        case .api(let status, _, _, _, _): return status == 401 || status == 403 || status >= 500
        default: return false
        }
    }

    // MARK: Batches

    /// A question's id in a batch: its number and a hash of its prompt, so that results made
    /// from other questions are refused instead of scored wrongly.
    static func customID(_ i: Int, _ c: EvaluationCase, k: Int) -> String {
        var h: UInt32 = 2_166_136_261
        for b in PromptBuilder.user(c.context, count: k).utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return "q\(i)-" + String(h, radix: 16)
    }

    /// Answers read from a results file, matched to the questions by custom id.
    func answers(fromResults data: Data, cases: [EvaluationCase], file: String) throws -> [Evaluation.Answer] {
        let outcomes: [String: BatchFile.Outcome]
        do { outcomes = try BatchFile.results(data) } catch {
            // FILE:LINE: what is wrong, as every other mistake in a file is said.
            complain(Sanitize.line("\(file):\(error.line): \(error.message)"))
            throw ExitCode(1)
        }
        let ids = cases.enumerated().map { Self.customID($0.offset, $0.element, k: k) }
        let known = Set(ids)
        let strangers = outcomes.keys.filter { !known.contains($0) }
        if !strangers.isEmpty {
            complain(Sanitize.line("\(file): \(strangers.count) results answer questions not asked here (such as \(strangers.sorted().first!)); "
                + "give the same PATH, --kind, --limit and -k as when the batch file was written"))
            throw ExitCode(1)
        }
        return zip(ids, cases).map { id, c in
            switch outcomes[id] {
            case .success(let reply)?: return .success(OpenAIEngine.candidates(reply, for: c.context, count: k))
            case .failure(let e)?: return .failure(.init(Sanitize.line(e.description)))
            case nil: return .failure(.init("no result for \(id)"))
            }
        }
    }

    func scoreResults(_ cases: [EvaluationCase]) throws -> Column {
        guard let file = batchResults else { throw ExitCode(64) }
        let data: Data
        do { data = Data(try TextFile.readBytes(file)) } catch { throw fail(error) }
        let answers = try answers(fromResults: data, cases: cases, file: file)
        let model = BatchFile.model(in: data)
        return Column(name: model ?? "results", label: "results file \(file)" + (model.map { ", model \($0)" } ?? ""),
                      reports: Evaluation.score(cases, answers, k: k), answers: answers)
    }

    /// Runs the questions as one batch on the platform: writes and uploads the input file,
    /// creates the batch, follows it (Ctrl-C asks whether to cancel it), downloads the results.
    /// Writes and uploads a model's questions and creates their batch (or, with --batch-id, reads
    /// the batch given), so that every model's batch runs on the platform before any is followed.
    func startBatch(_ cases: [EvaluationCase], engine: OpenAIEngine, live: LiveLine) throws -> Batch {
        let client = engine.client
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/eval-\(engine.model.filter { $0.isLetter || $0.isNumber || $0 == "-" }).jsonl"
        let lines = cases.enumerated().map { i, c in
            BatchFile.requestLine(customID: Self.customID(i, c, k: k), model: engine.model, messages: engine.messages(c.context, count: k))
        }
        do { try TextFile.write(lines.map { $0 + "\n" }.joined(), to: input) } catch { throw fail(error) }
        let transfer = HTTPTransfer(cancelCheck: { Interrupt.isSet })
        var current: Batch
        do {
            if let batchID {
                current = try client.batch(batchID)
            } else {
                let file = try client.upload(path: input, purpose: "batch", transfer: transfer) { sent, total in
                    live.show("uploading \(lines.count) questions " + LiveLine.bar(total == 0 ? 1 : Double(sent) / Double(total)))
                }
                current = try client.createBatch(inputFile: file.id, metadata: ["source": "flowsmith eval"])
            }
        } catch {
            live.finish()
            throw fail(error)
        }
        live.say(batchID == nil ? "batch \(current.id) created for \(lines.count) questions to \(engine.model)"
                 : "following batch \(Sanitize.line(current.id)) (\(Sanitize.line(current.status)))")
        return current
    }

    /// A private folder for a batch's files, removed by the caller.
    static func scratchFolder() -> String {
        let folder = NSTemporaryDirectory() + "flowsmith-batch-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return folder
    }

    /// Follows a batch until it ends (Ctrl-C asks whether to cancel it; `others` are the other
    /// models' batches, said when left running), downloads its results and reads the answers.
    func batchAnswers(_ cases: [EvaluationCase], engine: OpenAIEngine, batch started: Batch, others: [(model: String, batch: Batch)],
                      live: LiveLine) throws -> [Evaluation.Answer] {
        let client = engine.client
        var current = started
        let folder = Self.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let start = ContinuousClock.now
        var said = ""
        while !current.isFinished {
            let done = current.total == 0 ? 0 : Double(current.completed + current.failed) / Double(current.total)
            live.show("batch \(current.id) \(current.status) \(current.completed + current.failed)/\(current.total) "
                + LiveLine.bar(done) + "  " + LiveLine.elapsed(start))
            // Without a terminal, a line when something changed (not one per look, for a day).
            let now = Sanitize.line("batch \(current.id): \(current.status), \(current.completed + current.failed)/\(current.total)")
            if !live.isTerminal && !json && now != said { complain(now); said = now }
            nap(poll)
            if Interrupt.isSet {
                live.finish()
                if Interrupt.confirm("Cancel batch \(Sanitize.line(current.id)) on the server?") {
                    _ = try? client.cancelBatch(current.id)
                    complain("cancelled batch \(Sanitize.line(current.id))")
                } else {
                    complain("batch \(Sanitize.line(current.id)) left running; follow and score it later with the same command and --batch-id \(Sanitize.line(current.id))")
                }
                for other in others {
                    complain("batch \(Sanitize.line(other.batch.id)) of \(Sanitize.line(other.model)) left running too: --model \(Sanitize.line(other.model)) --batch-id \(Sanitize.line(other.batch.id))")
                }
                throw ExitCode(130)
            }
            do { current = try client.batch(current.id) } catch { live.finish(); throw fail(error) }
        }
        live.finish()
        // An expired or cancelled batch keeps what it answered: that is scored, the rest failed.
        guard current.status == "completed" || current.outputFileID != nil || current.errorFileID != nil else {
            complain(Sanitize.line("batch \(current.id) \(current.status)" + (current.errors.isEmpty ? "" : ": " + current.errors.prefix(5).joined(separator: "; "))))
            throw ExitCode(1)
        }
        if current.status != "completed" {
            complain(Sanitize.line("batch \(current.id) \(current.status) with \(current.completed + current.failed) of \(current.total) requests done"
                + (current.errors.isEmpty ? "" : " (" + current.errors.prefix(5).joined(separator: "; ") + ")")
                + ": scoring what it answered; the rest count as failed"))
        }
        var data = Data()
        for (n, id) in [current.outputFileID, current.errorFileID].enumerated() {
            guard let id else { continue }
            let path = folder + "/results-\(n).jsonl"
            do { try client.download(fileID: id, to: path) } catch { throw fail(error) }
            data.append(Data(try TextFile.readBytes(path)))
            if data.last != 0x0A { data.append(0x0A) }
        }
        return try answers(fromResults: data, cases: cases, file: "batch \(current.id)")
    }

    // MARK: Output

    /// Prints `show` questions, spread evenly over `cases`, with the answers given, or why none
    /// was (the server's reason, or that the question was not asked), in the questions' order.
    /// Each block names the engine when several answer; with --json the blocks go to standard
    /// error, so standard output stays one JSON document.
    func showAnswers(_ cases: [EvaluationCase], _ answers: [Evaluation.Answer], engine: String?) {
        guard show > 0, answers.count == cases.count else { return }
        let every = max(1, cases.count / show)
        var lines: [String] = []
        for i in stride(from: 0, to: cases.count, by: every).prefix(show) {
            let c = cases[i], ctx = c.context
            lines.append(Sanitize.line("[\(ctx.kind.rawValue)\(engine.map { " · \($0)" } ?? "")] \(ctx.useCase)" + (ctx.condition.map { " / \($0)" } ?? "")))
            if let last = ctx.stepsSoFar.last { lines.append(Sanitize.line("  after:  \(last)")) }
            for t in c.truths { lines.append(Sanitize.line("  author: \(t)")) }
            switch answers[i] {
            case .success(let found):
                if found.isEmpty { lines.append("  (no suggestion)") }
                for f in found.prefix(k) {
                    lines.append(Sanitize.line(String(format: "  %.2f    ", c.truths.map { Evaluation.f1(f, $0) }.max() ?? 0) + f))
                }
            case .failure(let error):
                lines.append(Sanitize.line("  failed: \(error)"))
            }
        }
        if json {
            var err = StandardError()
            for l in lines { print(l, to: &err) }
        } else {
            for l in lines { print(l) }
        }
    }

    /// The widest a column of the table gets.
    static let widestColumn = 16

    static func table(_ columns: [Column], k: Int) -> String {
        // Columns fit an 80-column terminal four abreast: a long name (a fine-tuned model's,
        // "ft:gpt-4o-mini-2024-07-18:acme:wind2:b301b0") is shown by its end, which tells models
        // apart; the lines under the table give each whole.
        let width = min(Self.widestColumn, max(10, columns.map { DisplayWidth.of($0.name) + 2 }.max() ?? 10))
        func header(_ name: String) -> String {
            let name = Sanitize.line(name)
            guard DisplayWidth.of(name) > width - 2 else { return name }
            var tail = ""
            for c in name.reversed() {
                guard DisplayWidth.of(String(c) + tail) <= width - 3 else { break }
                tail = String(c) + tail
            }
            return "…" + tail
        }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let n = max(0, w - DisplayWidth.of(s))
            return left ? s + String(repeating: " ", count: n) : String(repeating: " ", count: n) + s
        }
        var lines = [pad("", 16, left: true) + columns.map { pad(header($0.name), width) }.joined()]
        for kind in SuggestionKind.allCases {
            let reports = columns.map { c in c.reports.first { $0.kind == kind } }
            guard let any = reports.compactMap({ $0 }).first else { continue }
            lines.append(kind == .nextStep ? "next step (\(any.cases))" : "\(kind.rawValue) (\(any.cases))")
            let rows: [(String, (EvaluationReport) -> String)] = [
                ("accuracy@1", { String(format: "%.1f%%", 100 * $0.rate($0.hitAt1)) }),
                ("hit@\(k)", { String(format: "%.1f%%", 100 * $0.rate($0.hitAtK)) }),
                ("precision", { String(format: "%.3f", $0.meanPrecision) }),
                ("recall", { String(format: "%.3f", $0.meanRecall) }),
                ("F1", { String(format: "%.3f", $0.meanF1At1) }),
                ("near@\(k)", { String(format: "%.1f%%", 100 * $0.rate($0.nearAtK)) }),
                ("best F1@\(k)", { String(format: "%.3f", $0.meanBestF1AtK) }),
                ("failed", { "\($0.failed)" }),
            ]
            for (name, value) in rows {
                if name == "failed" && reports.allSatisfy({ ($0?.failed ?? 0) == 0 }) { continue }
                // An engine that answered nothing measured nothing: no scores, only how many failed.
                lines.append(pad("  " + name, 16, left: true) + reports.map { r in
                    pad(r.map { name != "failed" && $0.answered == 0 ? "-" : value($0) } ?? "-", width)
                }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ columns: [Column], cases: [EvaluationCase], k: Int, source: String, seconds: Double) -> String {
        var questions: [(String, JSONValue)] = []
        for kind in SuggestionKind.allCases {
            let n = cases.filter { $0.context.kind == kind }.count
            if n > 0 { questions.append((kind.rawValue, .number(Double(n)))) }
        }
        let engines: [(String, JSONValue)] = columns.map { c in
            var fields: [(String, JSONValue)] = [("label", .string(c.label))]
            for r in c.reports {
                var m: [(String, JSONValue)] = [("cases", .number(Double(r.cases))), ("answered", .number(Double(r.answered))),
                                                ("failed", .number(Double(r.failed)))]
                m += r.measures.map { ($0.0, .number(($0.1 * 10_000).rounded() / 10_000)) }
                if let e = r.firstError { m.append(("first_error", .string(e))) }
                fields.append((r.kind.rawValue, .object(m)))
            }
            return (c.name, .object(fields))
        }
        let root: JSONValue = .object([("source", .string(source)), ("k", .number(Double(k))), ("questions", .object(questions)),
                                       ("seconds", .number((seconds * 10).rounded() / 10)), ("engines", .object(engines))])
        return root.serialized
    }
}

/// `eval --kind`: next steps or conditions. `draft` is read, to be refused with the reason,
/// but not offered (drafts have no single right answer to score against).
enum MeasuredKind: String, ExpressibleByArgument {
    case next, conditions, draft
    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
    static var allValueStrings: [String] { ["next", "conditions"] }
}
