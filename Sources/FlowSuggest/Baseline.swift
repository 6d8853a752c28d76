import FlowCore

/// The floor every engine is measured against (`flowsmith eval --engine baseline`): no model,
/// only counting. The next step is the one that most often followed a step with the same actor
/// and verb in the training flows; the conditions of a step are those most often attached to a
/// step with the same actor and verb. When that has too few answers, it falls back to the same
/// actor, then to the most frequent of all.
///
/// "Actor and verb" are the step's first two words (Latin scripts) or first four characters
/// (Chinese, Japanese, Korean: `系统校验…`), after the normalisation of `Evaluation.tokens`.
public struct BaselineModel: Sendable {
    /// Per kind, per key level (0: actor and verb, 1: actor, 2: everything), key → answers,
    /// most frequent first (ties: the first seen first), ranked once when learning.
    private var tables: [SuggestionKind: [[String: [String]]]] = [:]

    public init(flows: [Flow]) {
        self.init(cases: Evaluation.cases(from: flows, kinds: [.nextStep, .conditions]))
    }

    /// Learns from the answers of questions (`Evaluation.cases`), so that held-out use cases can be left out.
    public init(cases: [EvaluationCase]) {
        var counts: [SuggestionKind: [[String: [String: Int]]]] = [:]
        // The first time each answer was seen, to break ties the same way every time.
        var order: [String: Int] = [:]
        for c in cases {
            let anchor = Self.anchor(c.context)
            for truth in c.truths {
                let text = truth.trimmingSpaces
                if order[text] == nil { order[text] = order.count }
                for (level, key) in Self.keys(anchor).enumerated() {
                    counts[c.context.kind, default: [[:], [:], [:]]][level][key, default: [:]][text, default: 0] += 1
                }
            }
        }
        tables = counts.mapValues { levels in
            levels.map { keys in
                keys.mapValues { answers in
                    answers.sorted { $0.value != $1.value ? $0.value > $1.value : (order[$0.key] ?? 0) < (order[$1.key] ?? 0) }.map(\.key)
                }
            }
        }
    }

    /// The step the question is about: the last step so far, or the extension's condition.
    static func anchor(_ c: SuggestionContext) -> String {
        c.stepsSoFar.last ?? c.condition ?? ""
    }

    static func keys(_ text: String) -> [String] {
        let t = Evaluation.tokens(text)
        let cjk = t.first.flatMap { $0.unicodeScalars.first }.map(LocalModel.isCJK) ?? false
        let verb = cjk ? 4 : 2, actor = cjk ? 2 : 1
        return [t.prefix(verb).joined(separator: " "), t.prefix(actor).joined(separator: " "), ""]
    }

    public func suggest(_ c: SuggestionContext, count: Int) -> [String] {
        guard let levels = tables[c.kind] else { return [] }
        let existing = Set((c.existing + c.stepsSoFar).map(OutputSanitizer.normalized))
        var out: [String] = []
        var taken = Set<String>()
        for (level, key) in Self.keys(Self.anchor(c)).enumerated() {
            guard out.count < count, let ranked = levels[level][key] else { continue }
            for text in ranked {
                if out.count == count { break }
                let n = OutputSanitizer.normalized(text)
                if existing.contains(n) || !taken.insert(n).inserted { continue }
                out.append(text)
            }
        }
        return out
    }
}
