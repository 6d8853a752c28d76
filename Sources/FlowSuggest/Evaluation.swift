import FlowCore
import Foundation

/// One question with a known answer: at this place in a real flow, the author wrote `truths`
/// (the next step; or, for conditions, every extension the author gave the step).
public struct EvaluationCase: Sendable {
    /// The use case the question comes from.
    public var group: String
    /// Which of the flows given to `Evaluation.cases` it comes from; cross-validation holds a
    /// document out as a whole, since its other use cases are offered as the document's own.
    public var document: Int
    public var context: SuggestionContext
    public var truths: [String]

    public init(group: String, document: Int = 0, context: SuggestionContext, truths: [String]) {
        self.group = group
        self.document = document
        self.context = context
        self.truths = truths
    }
}

/// How good an engine's suggestions were on a set of cases.
///
/// - *hit@1 / hit@k*: the first / one of the first k suggestions is the author's text (compared
///   without case, spaces and punctuation).
/// - *F1*: token overlap with the author's text (words for alphabetic scripts, single characters
///   for Chinese, Japanese and Korean), the usual measure for short generated text: of the first
///   suggestion (F1@1) and of the best of the first k (best F1@k).
/// - *near@k*: one of the first k has F1 ≥ 0.5 with the author's text — "close enough to accept
///   and touch up".
public struct EvaluationReport: Sendable, Equatable {
    public var kind: SuggestionKind
    public var k: Int
    public var cases = 0
    /// Cases where the engine gave at least one suggestion.
    public var answered = 0
    public var hitAt1 = 0
    public var hitAtK = 0
    public var nearAtK = 0
    public var f1At1 = 0.0
    /// Token precision and recall of the first suggestion against the author's text it is closest to.
    public var precisionAt1 = 0.0
    public var recallAt1 = 0.0
    public var bestF1AtK = 0.0
    /// Cases the engine failed on (an error, not an empty answer), with the first error's text.
    public var failed = 0
    public var firstError: String?

    public init(kind: SuggestionKind, k: Int) {
        self.kind = kind
        self.k = k
    }

    public var meanF1At1: Double { cases == 0 ? 0 : f1At1 / Double(cases) }
    public var meanBestF1AtK: Double { cases == 0 ? 0 : bestF1AtK / Double(cases) }
    public var meanPrecision: Double { cases == 0 ? 0 : precisionAt1 / Double(cases) }
    public var meanRecall: Double { cases == 0 ? 0 : recallAt1 / Double(cases) }
    public func rate(_ n: Int) -> Double { cases == 0 ? 0 : Double(n) / Double(cases) }

    /// The figures by the names `eval --json` gives them.
    public var measures: [(String, Double)] {
        [("accuracy_at_1", rate(hitAt1)), ("hit_at_k", rate(hitAtK)), ("precision", meanPrecision),
         ("recall", meanRecall), ("f1", meanF1At1), ("near_at_k", rate(nearAtK)), ("best_f1_at_k", meanBestF1AtK)]
    }

    public mutating func add(_ other: EvaluationReport) {
        cases += other.cases
        answered += other.answered
        hitAt1 += other.hitAt1
        hitAtK += other.hitAtK
        nearAtK += other.nearAtK
        f1At1 += other.f1At1
        precisionAt1 += other.precisionAt1
        recallAt1 += other.recallAt1
        bestF1AtK += other.bestF1AtK
        failed += other.failed
        firstError = firstError ?? other.firstError
    }

    /// One line per measure, for the terminal.
    public var summary: String {
        func pct(_ n: Int) -> String { cases == 0 ? "-" : String(format: "%5.1f%%", 100 * Double(n) / Double(cases)) }
        var lines = [
            "\(kind.rawValue): \(cases) cases, \(answered) answered" + (failed > 0 ? ", \(failed) failed" : ""),
            "  hit@1      \(pct(hitAt1))  (\(hitAt1))",
            "  hit@\(k)      \(pct(hitAtK))  (\(hitAtK))",
            "  near@\(k)     \(pct(nearAtK))  (\(nearAtK); F1 >= 0.5)",
            "  F1@1       " + String(format: "%.3f", meanF1At1),
            "  best F1@\(k)  " + String(format: "%.3f", meanBestF1AtK),
        ]
        if let e = firstError { lines.append("  first error: \(e)") }
        return lines.joined(separator: "\n")
    }
}

public enum Evaluation {
    /// Every question a flow answers: the next step after each step of every scenario (and the
    /// first step of each extension, after its condition), and the conditions of each step that
    /// has extensions. The context holds only what an author writing forward would have.
    public static func cases(from flows: [Flow], kinds: Set<SuggestionKind> = [.nextStep, .conditions]) -> [EvaluationCase] {
        var out: [EvaluationCase] = []
        for (document, flow) in flows.enumerated() {
            let start = out.count
            defer { for i in start..<out.count { out[i].document = document } }
            for uc in flow.useCases {
                guard let title = flow[uc]?.text else { continue }
                var scenarios = [uc]
                var i = 0
                while i < scenarios.count {
                    let scenario = scenarios[i]
                    i += 1
                    let steps = flow.children(of: scenario)
                    if kinds.contains(.nextStep), flow[scenario]?.kind == .extension, let first = steps.first,
                       let (ctx, _) = SuggestionContext.at(scenario, in: flow) {
                        var c = ctx
                        c.stepsSoFar = []
                        c.existing = []
                        c.endings = []
                        c.around = []
                        add(group: title, c, [flow[first]?.text ?? ""], to: &out)
                    }
                    for (j, step) in steps.enumerated() {
                        guard let node = flow[step] else { continue }
                        scenarios += node.children
                        if kinds.contains(.nextStep), j + 1 < steps.count, let (ctx, _) = SuggestionContext.at(step, in: flow) {
                            var c = ctx
                            c.existing = c.stepsSoFar
                            // What the author has written so far: not the scenario around, which
                            // may be written later (the measure stays what it was).
                            c.around = []
                            add(group: title, c, [flow[steps[j + 1]]?.text ?? ""], to: &out)
                        }
                        if kinds.contains(.conditions), !node.children.isEmpty,
                           let (ctx, _) = SuggestionContext.at(step, in: flow, kind: .conditions) {
                            var c = ctx
                            c.existing = []
                            add(group: title, c, node.children.compactMap { flow[$0]?.text }, to: &out)
                        }
                    }
                }
            }
        }
        return out
    }

    private static func add(group: String, _ c: SuggestionContext, _ truths: [String], to out: inout [EvaluationCase]) {
        let kept = truths.filter { !$0.trimmingSpaces.isEmpty }
        if !kept.isEmpty { out.append(EvaluationCase(group: group, context: c, truths: kept)) }
    }

    /// Asks `suggest` every case and scores the answers, one report per kind asked.
    /// `observe` sees each case with the engine's answer (empty when it failed).
    public static func run(_ cases: [EvaluationCase], k: Int,
                           observe: ((EvaluationCase, [String]) -> Void)? = nil,
                           suggest: (SuggestionContext, Int) throws -> [String]) -> [EvaluationReport] {
        let answers: [Answer] = cases.map { c in
            do {
                let found = try suggest(c.context, k)
                observe?(c, Array(found.prefix(k)))
                return .success(found)
            } catch {
                observe?(c, [])
                return .failure(AnswerError("\(error)"))
            }
        }
        return score(cases, answers, k: k)
    }

    /// An engine's answer to one case: its suggestions, or why it gave none.
    public typealias Answer = Result<[String], AnswerError>

    public struct AnswerError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Scores answers given in any way (asked one by one, from several threads, or read from a
    /// batch's results), `answers[i]` to `cases[i]`: one report per kind, in a fixed order.
    public static func score(_ cases: [EvaluationCase], _ answers: [Answer], k: Int) -> [EvaluationReport] {
        var reports: [SuggestionKind: EvaluationReport] = [:]
        for (c, answer) in zip(cases, answers) {
            var r = reports[c.context.kind] ?? EvaluationReport(kind: c.context.kind, k: k)
            r.cases += 1
            switch answer {
            case .success(let found):
                score(Array(found.prefix(k)), against: c.truths, into: &r)
            case .failure(let error):
                r.failed += 1
                if r.firstError == nil { r.firstError = error.description }
            }
            reports[c.context.kind] = r
        }
        return SuggestionKind.allCases.compactMap { reports[$0] }
    }

    static func score(_ found: [String], against truths: [String], into r: inout EvaluationReport) {
        guard !found.isEmpty else { return }
        r.answered += 1
        let keys = Set(truths.map(OutputSanitizer.normalized))
        let normalized = found.map(OutputSanitizer.normalized)
        if keys.contains(normalized[0]) { r.hitAt1 += 1 }
        if normalized.contains(where: keys.contains) { r.hitAtK += 1 }
        let f1s = found.map { s in truths.map { f1(s, $0) }.max() ?? 0 }
        r.f1At1 += f1s[0]
        let first = tokens(found[0])
        if let closest = truths.map(tokens).max(by: { f1(first, $0) < f1(first, $1) }) {
            let (p, rc) = precisionRecall(first, closest)
            r.precisionAt1 += p
            r.recallAt1 += rc
        }
        let best = f1s.max() ?? 0
        r.bestF1AtK += best
        if best >= 0.5 { r.nearAtK += 1 }
    }

    /// The local model's figures on flows it did not learn. The documents (the flows given to
    /// `cases(from:)`, in the same order as `flows`) are split into `folds` groups; each group's
    /// questions are asked of a model trained on the other documents (plus `extra`, a library
    /// that is always learned, such as the bundled corpus when evaluating a user's flows), less
    /// any use case titled as one asked about, as `flowsmith eval` does it. The asked document's
    /// other use cases still count, as the document's own, just as they do in the editor.
    public static func crossValidated(_ all: [EvaluationCase], learning flows: [Flow], folds: Int, k: Int,
                                      extra: [Flow] = [], weights: LocalModel.Weights = .next,
                                      conditionWeights: LocalModel.Weights = .conditions,
                                      observe: ((EvaluationCase, [String]) -> Void)? = nil,
                                      foldOf: (@Sendable (Int) -> Int)? = nil) -> [EvaluationReport] {
        let learned = flows.map { LocalModel.examples(from: [$0]) }
        let always = LocalModel.examples(from: extra)
        let answers = crossValidatedAnswers(all, documents: flows.count, folds: folds, k: k, foldOf: foldOf, observe: observe) { training, held in
            var model = LocalModel(examples: (training.flatMap { learned[$0] } + always).filter { !held.contains($0.useCase) })
            model.weights = weights
            model.conditionWeights = conditionWeights
            return { model.suggest($0, count: $1) }
        }
        return score(all, answers, k: k)
    }

    /// Answers to every case from engines that never learned its document: the documents are
    /// split into `folds` groups by number, and `make(training documents, held-out use case
    /// titles)` builds the engine that answers one group's cases. Any engine that learns from
    /// flows (the local model, the baseline) is measured the same way. `foldOf` puts documents
    /// in folds otherwise (by default a document's number modulo the folds): to keep related
    /// documents together, so that a fold asks about what none of its training resembles.
    public static func crossValidatedAnswers(_ all: [EvaluationCase], documents: Int, folds: Int, k: Int,
                                             foldOf: (@Sendable (Int) -> Int)? = nil,
                                             observe: ((EvaluationCase, [String]) -> Void)? = nil,
                                             make: (_ training: [Int], _ held: Set<String>) -> (SuggestionContext, Int) -> [String]) -> [Answer] {
        let folds = max(2, min(folds, documents))
        let fold: @Sendable (Int) -> Int = { document in (foldOf?(document) ?? document) % folds }
        // The folds are independent: they run on every core. `make` and `observe` are called
        // one at a time (under the state's lock), so callers need no locks of their own.
        return withoutActuallyEscaping(make) { make in
            let state = FoldState(make: make, observe: observe, count: all.count)
            DispatchQueue.concurrentPerform(iterations: folds) { f in
                let asked = all.indices.filter { fold(all[$0].document) == f }
                guard !asked.isEmpty else { return }
                let held = Set(asked.map { all[$0].group })
                let suggest = state.lock.withLock { state.make((0..<documents).filter { fold($0) != f }, held) }
                for i in asked {
                    let found = suggest(all[i].context, k)
                    state.lock.withLock {
                        state.observe?(all[i], Array(found.prefix(k)))
                        state.answers[i] = .success(found)
                    }
                }
            }
            return state.answers
        }
    }

    /// Tokens for F1: lowercased words and numbers; each CJK character on its own.
    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var word = ""
        for c in text.lowercased() {
            if let u = c.unicodeScalars.first, LocalModel.isCJK(u) {
                if !word.isEmpty { out.append(word); word = "" }
                out.append(String(c))
            } else if c.isLetter || c.isNumber {
                word.append(c)
            } else if !word.isEmpty {
                out.append(word)
                word = ""
            }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    /// Token precision (of `x`, the suggestion) and recall (of `y`, the author's text).
    public static func precisionRecall(_ x: [String], _ y: [String]) -> (Double, Double) {
        guard !x.isEmpty, !y.isEmpty else { return x.isEmpty && y.isEmpty ? (1, 1) : (0, 0) }
        let c = common(x, y)
        return (Double(c) / Double(x.count), Double(c) / Double(y.count))
    }

    /// How many tokens two bags share, each counted as often as both have it. Tokens are compared
    /// by a 64-bit hash of their bytes, sorted and merged: no dictionary and no Unicode
    /// normalisation per comparison (suggesting compares thousands of pairs per question).
    static func common(_ x: [String], _ y: [String]) -> Int {
        common(sorted: x.map(tokenNumber).sorted(), y.map(tokenNumber).sorted())
    }

    /// How many numbers two sorted bags of token numbers (`tokenNumber`) share, by one merge.
    static func common(sorted a: [UInt64], _ b: [UInt64]) -> Int {
        var i = 0, j = 0, common = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                common += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return common
    }

    /// FNV-1a of a token's UTF-8 bytes.
    static func tokenNumber(_ token: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in token.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Token-overlap F1 (bag of tokens, counted with multiplicity).
    public static func f1(_ a: String, _ b: String) -> Double { f1(tokens(a), tokens(b)) }

    public static func f1(_ x: [String], _ y: [String]) -> Double {
        guard !x.isEmpty, !y.isEmpty else { return x.isEmpty && y.isEmpty ? 1 : 0 }
        let common = common(x, y)
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(x.count), recall = Double(common) / Double(y.count)
        return 2 * precision * recall / (precision + recall)
    }
}

/// What the folds of `crossValidatedAnswers` share; touched only under `lock`, except that each
/// engine `make` returns is used by its own fold alone.
private final class FoldState: @unchecked Sendable {
    let lock = NSLock()
    let make: ([Int], Set<String>) -> (SuggestionContext, Int) -> [String]
    let observe: ((EvaluationCase, [String]) -> Void)?
    var answers: [Evaluation.Answer]

    init(make: @escaping ([Int], Set<String>) -> (SuggestionContext, Int) -> [String],
         observe: ((EvaluationCase, [String]) -> Void)?, count: Int) {
        self.make = make
        self.observe = observe
        answers = Array(repeating: .success([]), count: count)
    }
}
