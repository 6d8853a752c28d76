import FlowCore
import FlowSuggest
import Foundation
import TestSupport

/// `FlowBench tune`: searches the local model's weights, for next steps and for conditions
/// separately, by coordinate ascent on the bundled corpus, cross-validated by file exactly as
/// `flowsmith eval` does it, and prints the best setting found for each.
enum TuneBench {
    /// Unbuffered, so a long search shows its progress.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    /// The weights `tune` searches, by name.
    static var paths: [(String, WritableKeyPath<LocalModel.Weights, Float>)] {
        [
        ("topic", \.topic), ("turn", \.turn), ("position", \.position), ("process", \.process),
        ("document", \.document), ("scenario", \.scenario), ("retrieval", \.retrieval), ("compose", \.compose),
        ("temperature", \.consensusTemperature), ("shortening", \.shortening), ("behind", \.behind),
        ]
    }

    static func run() {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        let all = Evaluation.cases(from: flows)
        // `FlowBench tune NAME…` searches only those weights.
        let only = Set(CommandLine.arguments.dropFirst(2))
        for kind in [SuggestionKind.conditions, .nextStep] {
            // Every other question keeps a round quick.
            let cases = all.filter { $0.context.kind == kind }.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            func objective(_ w: LocalModel.Weights) -> (Double, String) {
                let r = Evaluation.crossValidated(cases, learning: flows, folds: 5, k: 3,
                                                  weights: w, conditionWeights: w)[0]
                let near = Double(r.nearAtK) / Double(max(1, r.cases))
                return (r.meanF1At1 + r.meanBestF1AtK + near,
                        String(format: "F1@1 %.3f  best F1@3 %.3f  near@3 %.3f", r.meanF1At1, r.meanBestF1AtK, near))
            }
            var best = kind == .conditions ? LocalModel.Weights.conditions : .next
            var (bestScore, bestText) = objective(best)
            say("\(kind.rawValue) start: \(String(format: "%.4f", bestScore))  \(bestText)")
            // Memory is left alone: held-out questions cannot value it.
            let paths = Self.paths.filter { only.isEmpty || only.contains($0.0) }
            for round in 1...2 {
                var improved = false
                for (name, path) in paths {
                    for factor: Float in [0, 0.5, 0.7, 1.4, 2] {
                        var w = best
                        w[keyPath: path] = best[keyPath: path] == 0 && factor > 1 ? 0.5 * factor : best[keyPath: path] * factor
                        let (s, t) = objective(w)
                        if s > bestScore + 0.0005 {
                            (best, bestScore, bestText, improved) = (w, s, t, true)
                            say("  round \(round) \(name) = \(w[keyPath: path]): \(String(format: "%.4f", s))  \(t)")
                        }
                    }
                }
                for n in only.isEmpty ? [0, 2, 5, 8] : [] {
                    var w = best
                    w.similarProcesses = n
                    let (s, t) = objective(w)
                    if s > bestScore + 0.0005 {
                        (best, bestScore, bestText, improved) = (w, s, t, true)
                        say("  round \(round) similarProcesses = \(n): \(String(format: "%.4f", s))  \(t)")
                    }
                }
                if !improved { break }
            }
            say("\(kind.rawValue) best: retrieval \(best.retrieval) topic \(best.topic) turn \(best.turn) position \(best.position) "
                + "process \(best.process) scenario \(best.scenario) document \(best.document) similarProcesses \(best.similarProcesses) "
                + "temperature \(best.consensusTemperature) shortening \(best.shortening)")
            say("  \(bestText)")
        }
    }

    /// `FlowBench domains [NAME=VALUE…]`: the corpus's figures with whole domains held out (the
    /// files of one family — "hr", "hr-2", "hr-people-ops-4" — always in the same fold), so a
    /// question is never answered from another team's version of its own process: how the model
    /// does where the corpus has no relative. Weights may be given as in `tune` (topic=4 …).
    static func domains() {
        let dir = Fixtures.root.appendingPathComponent("corpus").path
        let flows = ModelStore.flows(in: dir).flows
        let names = ModelStore.flowFiles(in: dir) ?? []
        guard names.count == flows.count else { return say("corpus: \(names.count) files, \(flows.count) read") }
        let families = names.map(family)
        var number: [String: Int] = [:]
        for f in families where number[f] == nil { number[f] = number.count }
        var next = LocalModel.Weights.next, conditions = LocalModel.Weights.conditions
        for arg in CommandLine.arguments.dropFirst(2) {
            let kv = arg.split(separator: "=")
            guard kv.count == 2, let value = Float(kv[1]), let path = paths.first(where: { $0.0 == kv[0] })?.1 else {
                return say("not a weight: \(arg) (\(paths.map(\.0).joined(separator: ", ")))")
            }
            next[keyPath: path] = value
            conditions[keyPath: path] = value
        }
        let fold = families.map { number[$0]! }
        let reports = Evaluation.crossValidated(Evaluation.cases(from: flows), learning: flows, folds: 5, k: 3, weights: next,
                                                conditionWeights: conditions, foldOf: { fold[$0] })
        say("\(number.count) families of \(flows.count) files, 5 folds by family:")
        for r in reports {
            say("  \(r.kind.rawValue): " + String(format: "F1@1 %.3f  best F1@3 %.3f  near@3 %.1f%%", r.meanF1At1, r.meanBestF1AtK,
                                                100 * Double(r.nearAtK) / Double(max(1, r.cases))))
        }
    }

    /// A corpus file's family: its name without the language folder, the version number and
    /// what follows the first word ("en/hr-people-ops-2.flow.md" → "hr"; "expenses-travel" →
    /// "expense").
    static func family(_ name: String) -> String {
        let stem = (name as NSString).lastPathComponent.replacingOccurrences(of: ".flow.md", with: "")
        let first = String(stem.split(separator: "-").first ?? Substring(stem))
        return first.hasSuffix("s") && first.count > 3 ? String(first.dropLast()) : first
    }
}
