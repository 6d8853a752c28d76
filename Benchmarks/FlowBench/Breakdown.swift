import FlowCore
import FlowSuggest
import Foundation

/// `FlowBench breakdown`: next-step quality on the corpus (5-fold by file) split by the kind of
/// question — where in the scenario it is asked, the language, whose step the author wrote — to
/// see where the figures are lost.
enum Breakdown {
    static func run(_ corpus: [Flow]) {
        let cases = Evaluation.cases(from: corpus, kinds: [.nextStep])
        var groups: [String: (n: Int, f1: Double, best: Double, near: Int)] = [:]
        func add(_ key: String, _ f1: Double, _ best: Double) {
            var g = groups[key] ?? (0, 0, 0, 0)
            g.n += 1; g.f1 += f1; g.best += best; g.near += best >= 0.5 ? 1 : 0
            groups[key] = g
        }
        _ = Evaluation.crossValidated(cases, learning: corpus, folds: 5, k: 3) { c, found in
            let truth = c.truths[0]
            let f1s = found.map { Evaluation.f1($0, truth) }
            let f1 = f1s.first ?? 0, best = f1s.max() ?? 0
            let zh = truth.unicodeScalars.contains { LocalModel.isCJK($0) }
            let place = c.context.condition == nil ? (c.context.stepsSoFar.count <= 1 ? "main, 2nd step" : "main, later") :
                (c.context.stepsSoFar.isEmpty ? "extension, 1st step" : "extension, later")
            let system = truth.hasPrefix("System") || truth.hasPrefix("系统")
            let own = !c.context.actor.isEmpty && truth.hasPrefix(c.context.actor)
            let who = system ? "system" : own ? "primary actor" : "other actor"
            add("all", f1, best)
            add("lang " + (zh ? "zh" : "en"), f1, best)
            add("place " + place, f1, best)
            add("truth by " + who, f1, best)
            let mine = found.first.map { $0.hasPrefix("System") || $0.hasPrefix("系统") ? "system" : !c.context.actor.isEmpty && $0.hasPrefix(c.context.actor) ? "primary actor" : "other actor" } ?? "none"
            add("truth \(who) / first \(mine)", f1, best)
            add("shown \(found.count)", f1, best)
            if who == "other actor" {
                // Whether the other actor already acts in the document (a step of the use case so
                // far or of another use case starts with them), and whether a suggestion names them.
                let actor = leading(truth)
                let related = c.context.related.flatMap { [$0.actor] + $0.steps + $0.extensions.flatMap(\.steps) }
                let known = (c.context.stepsSoFar + c.context.existing + related).contains { leading($0) == actor }
                let named = found.contains { leading($0) == actor }
                add("other actor: \(known ? "acts in the document" : "new to the document") / \(named ? "named" : "not named")", f1, best)
            }
        }
        for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
            print(key.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: "%6d  F1@1 %.3f  best F1@3 %.3f  near@3 %5.1f%%", g.n, g.f1 / Double(g.n), g.best / Double(g.n), 100 * Double(g.near) / Double(g.n)))
        }
    }

    /// Who a step starts with, roughly: its first word, or its first two characters in Chinese.
    static func leading(_ step: String) -> String {
        if step.unicodeScalars.first.map(LocalModel.isCJK) == true { return String(step.prefix(2)) }
        let words = step.lowercased().split(separator: " ")
        return words.first == "the" ? words.prefix(2).joined(separator: " ") : words.first.map(String.init) ?? ""
    }
}
