import FlowCore
import FlowFormats
import FlowSuggest
import Foundation
import Glibc
import OpenAIClient
import TestSupport

/// Suggestion figures: the local model's answer time with a 10,000-step library, its training
/// time on 100,000 steps, and the HTTP client's own overhead from request to first streamed text
/// against a loopback server that answers at once.
enum SuggestBench {
    static func run() throws {
        print("\nsuggestions (release build)")
        let corpus = try timing()
        try quality(corpus)
        try clientOverhead()
    }

    /// The local model's answer times (alone: `FlowBench suggest`, to profile them); returns the corpus.
    @discardableResult
    static func timing() throws -> [Flow] {
        let corpus = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        var library: [Flow] = []
        var steps = 0
        var round = 0
        while steps < 10_000 {
            round += 1
            for f in corpus {
                var copy = f
                copy.title = "\(f.title) \(round)"
                library.append(copy)
                steps += f.stepCount
            }
        }
        let model = LocalModel(examples: LocalModel.examples(from: library))
        let question = try FlowMarkdownReader.read("## 提交报销申请\n\n1. 员工登录报销系统。\n2. 员工填写报销金额并上传发票。\n").flow
        guard let step = question.node(numbered: "2", in: question.useCases[0]),
              let (ctx, _) = SuggestionContext.at(step, in: question) else { return corpus }
        let runs = 200
        let start = ContinuousClock.now
        for _ in 0..<runs { _ = model.suggest(ctx, count: 3) }
        print("local model, \(steps)-step library (\(model.examples.count) examples): \(ms((ContinuousClock.now - start) / runs)) per suggestion")

        let big = (0..<max(1, 100_000 / max(1, steps))).flatMap { _ in library }
        let bigSteps = big.reduce(0) { $0 + $1.stepCount }
        let train = best(of: 1) { _ = LocalModel(examples: LocalModel.examples(from: big)) }
        print("training on \(bigSteps) steps: \(ms(train))")

        // The same question asked with its document's other use cases, as the editor asks it.
        let crm = try FlowMarkdownReader.read(try TextFile.read(Fixtures.root.appendingPathComponent("examples/crm-zh.flow.md").path)).flow
        if let step = crm.node(numbered: "2", in: crm.useCases[1]), let (inDocument, _) = SuggestionContext.at(step, in: crm) {
            let start = ContinuousClock.now
            for _ in 0..<runs { _ = model.suggest(inDocument, count: 3) }
            print("local model, same library, asked in examples/crm-zh.flow.md (\(inDocument.related.count) other use cases): "
                + "\(ms((ContinuousClock.now - start) / runs)) per suggestion")
        }
        // Asked in a document as large as the library: its nearest use cases are the asking
        // one's others (`RelatedUseCase.around`), asked again and again as the editor does.
        let sections = library.map { FlowMarkdownWriter.write($0).split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).last ?? "" }
        let document = try FlowMarkdownReader.read("# One large document\n" + sections.joined(separator: "\n")).flow
        if let uc = document.useCases.dropFirst(document.useCases.count / 2).first, let step = document.node(numbered: "2", in: uc),
           let (inBig, _) = SuggestionContext.at(step, in: document) {
            let n = 50
            let start = ContinuousClock.now
            for _ in 0..<n { _ = model.suggest(inBig, count: 3) }
            print("local model, same library, asked in a \(document.stepCount)-step document (\(inBig.related.count) nearest use cases): "
                + "\(ms((ContinuousClock.now - start) / n)) per suggestion")
        }
        return corpus
    }

    /// Suggestion quality on the bundled corpus, cross-validated by file (each file asked of a
    /// model that never learned it): the figures `flowsmith eval` prints.
    static func quality(_ corpus: [Flow]) throws {
        let start = ContinuousClock.now
        // An independent check of "never repeat": a suggestion whose words are mostly those of a
        // step already in the scenario (token F1 >= 0.6), with the words as they are, and without
        // the use case's actor and the commonest words (`Novelty.content`: "Legal counsel
        // reviews the changed clauses" does not repeat "Legal counsel reviews the terms").
        var repeats = 0, repeatsInContent = 0, shown = 0
        let reports = Evaluation.crossValidated(Evaluation.cases(from: corpus), learning: corpus, folds: 5, k: 3) { c, found in
            shown += found.count
            // A condition repeats a condition, not the step it is about (whose things it names).
            let there = c.context.kind == .conditions ? c.context.existing : c.context.stepsSoFar + c.context.existing
            repeats += found.filter { s in there.contains { Evaluation.f1(s, $0) >= 0.6 } }.count
            let content = there.map { Novelty.content($0, actor: c.context.actor) }
            repeatsInContent += found.filter { s in
                let mine = Novelty.content(s, actor: c.context.actor)
                return content.contains { Evaluation.f1(mine, $0) >= 0.6 }
            }.count
        }
        print("suggestion quality on the bundled corpus, 5-fold cross-validated by file (\(ms(ContinuousClock.now - start))):")
        print("  suggestions sharing most words with a step already in the scenario (token F1 >= 0.6): \(repeats) of \(shown); "
              + "without the actor and the commonest words: \(repeatsInContent)")
        reports.forEach(printQuality)

        // How far the suggestions reach beyond what was learned: flows of domains the corpus does
        // not cover, asked of a model trained on the whole corpus.
        let heldOut = ModelStore.flows(in: Fixtures.root.appendingPathComponent("Benchmarks/held-out").path).flows
        let model = LocalModel(examples: LocalModel.examples(from: corpus))
        let asked = ContinuousClock.now
        let outside = Evaluation.run(Evaluation.cases(from: heldOut), k: 3) { model.suggest($0, count: $1) }
        print("suggestion quality in \(heldOut.count) files of other domains (Benchmarks/held-out), never learned (\(ms(ContinuousClock.now - asked))):")
        outside.forEach(printQuality)
        DraftBench.run(corpus)
    }

    static func printQuality(_ r: EvaluationReport) {
        print("  " + r.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "%5d questions  hit@1 %5.1f%%  hit@3 %5.1f%%  near@3 %5.1f%%  F1@1 %.3f  best F1@3 %.3f",
                     r.cases, 100 * Double(r.hitAt1) / Double(r.cases), 100 * Double(r.hitAtK) / Double(r.cases),
                     100 * Double(r.nearAtK) / Double(r.cases), r.meanF1At1, r.meanBestF1AtK))
    }

    /// A one-connection-at-a-time HTTP server on loopback that streams three events at once.
    static func clientOverhead() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        listen(fd, 16)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let requests = 30
        let server = Thread {
            let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"System confirms\\n\"}}]}\n\ndata: [DONE]\n\n"
            let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            for _ in 0..<requests {
                let c = accept(fd, nil, nil)
                var buf = [UInt8](repeating: 0, count: 65536)
                var got = [UInt8]()
                while !String(decoding: got, as: UTF8.self).contains("\r\n\r\n") || !bodyComplete(got) {
                    let n = read(c, &buf, buf.count)
                    if n <= 0 { break }
                    got += buf[0..<n]
                }
                _ = reply.withCString { write(c, $0, strlen($0)) }
                close(c)
            }
        }
        server.start()
        let client = OpenAIClient(.init(baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "sk-bench"))
        var samples: [Duration] = []
        for _ in 0..<requests {
            let start = ContinuousClock.now
            var first: Duration?
            _ = try? client.chat(model: "m", messages: [.init(role: "user", content: "next step?")]) { _ in
                if first == nil { first = ContinuousClock.now - start }
            }
            if let f = first { samples.append(f) }
        }
        close(fd)
        samples.sort()
        guard !samples.isEmpty else { return print("client overhead: no samples") }
        print("client overhead, request to first streamed text on loopback (server answers at once): "
            + "median \(ms(samples[samples.count / 2])), worst \(ms(samples[samples.count - 1])) of \(samples.count)")
    }

    static func bodyComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<headEnd.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let n = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return true }
        return text[headEnd.upperBound...].utf8.count >= n
    }
}

/// `FlowBench drafts`: how good a whole drafted scenario is (`s` on an empty use case), on the
/// corpus cross-validated by file and on the held-out domains. For each use case with two or more
/// main steps, the first draft against the author's main scenario: step recall (each author step's
/// best token F1 with a drafted step, averaged), step precision (each drafted step's best F1 with
/// an author step), their F1, how many drafted steps are near an author's (F1 >= 0.5), and the
/// draft's length against the author's.
enum DraftBench {
    static func cases(_ flows: [Flow]) -> [EvaluationCase] {
        var out: [EvaluationCase] = []
        for (d, flow) in flows.enumerated() {
            for uc in flow.useCases {
                let main = flow.children(of: uc).compactMap { flow[$0]?.text }.filter { !$0.trimmingSpaces.isEmpty }
                guard main.count >= 2, var (ctx, _) = SuggestionContext.at(uc, in: flow, kind: .draft) else { continue }
                ctx.existing = []
                out.append(EvaluationCase(group: flow[uc]?.text ?? "", document: d, context: ctx, truths: main))
            }
        }
        return out
    }

    struct Score {
        var n = 0, recall = 0.0, precision = 0.0, near = 0, drafted = 0, written = 0, empty = 0
        mutating func add(_ draft: [String], _ truth: [String]) {
            n += 1
            written += truth.count
            guard !draft.isEmpty else { empty += 1; return }
            drafted += draft.count
            recall += truth.map { t in draft.map { Evaluation.f1($0, t) }.max() ?? 0 }.reduce(0, +) / Double(truth.count)
            let best = draft.map { s in truth.map { Evaluation.f1(s, $0) }.max() ?? 0 }
            precision += best.reduce(0, +) / Double(draft.count)
            near += best.filter { $0 >= 0.5 }.count
        }
        var line: String {
            let r = recall / Double(max(1, n)), p = precision / Double(max(1, n - empty))
            return String(format: "%5d use cases  recall %.3f  precision %.3f  F1 %.3f  near steps %5.1f%%  length %.3f× the author's (%d steps)  none %d",
                          n, r, p, r + p > 0 ? 2 * r * p / (r + p) : 0, 100 * Double(near) / Double(max(1, drafted)),
                          Double(drafted) / Double(max(1, written)), drafted, empty)
        }
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.trimmingSpaces.isEmpty }
    }

    static func run(_ corpus: [Flow]) {
        let all = cases(corpus)
        let learned = corpus.map { LocalModel.examples(from: [$0]) }
        var file = Score()
        let answers = Evaluation.crossValidatedAnswers(all, documents: corpus.count, folds: 5, k: 1) { training, held in
            let model = LocalModel(examples: training.flatMap { learned[$0] }.filter { !held.contains($0.useCase) })
            return { model.suggest($0, count: $1) }
        }
        for (c, a) in zip(all, answers) { file.add(lines((try? a.get())?.first ?? ""), c.truths) }
        print("drafts on the bundled corpus, 5-fold by file:\n  " + file.line)
        let heldOut = ModelStore.flows(in: Fixtures.root.appendingPathComponent("Benchmarks/held-out").path).flows
        let model = LocalModel(examples: LocalModel.examples(from: corpus))
        var outside = Score()
        for c in cases(heldOut) { outside.add(lines(model.suggest(c.context, count: 1).first ?? ""), c.truths) }
        print("drafts in \(heldOut.count) files of other domains, never learned:\n  " + outside.line)
    }
}
