import FlowCore
import FlowSuggest
import Foundation
import TestSupport

/// `FlowBench tune`: searches the local model's weights by coordinate ascent on the bundled
/// corpus, cross-validated (each use case asked of a model that never learned it), and prints
/// the best setting found. The fold models are trained once; only the weights change.
enum TuneBench {
    static func run() {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        // Every other question keeps a round quick; memory is left alone (held-out questions cannot value it).
        let cases = Evaluation.cases(from: flows).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let folds = 5
        func fold(_ title: String) -> Int { abs(title.hashValue) % folds }
        let learned = LocalModel.examples(from: flows)
        let models = (0..<folds).map { f in LocalModel(examples: learned.filter { fold($0.useCase) != f }) }
        func objective(_ w: LocalModel.Weights) -> (Double, String) {
            var total: [EvaluationReport] = []
            for f in 0..<folds {
                var m = models[f]
                m.weights = w
                let reports = Evaluation.run(cases.filter { fold($0.group) == f }, k: 3) { m.suggest($0, count: $1) }
                for r in reports {
                    if let i = total.firstIndex(where: { $0.kind == r.kind }) { total[i].add(r) } else { total.append(r) }
                }
            }
            let score = total.reduce(0.0) { $0 + $1.meanF1At1 + $1.meanBestF1AtK + Double($1.nearAtK) / Double(max(1, $1.cases)) }
            let text = total.map { String(format: "%@ F1@1 %.3f bestF1@3 %.3f near@3 %.3f", $0.kind.rawValue, $0.meanF1At1, $0.meanBestF1AtK, Double($0.nearAtK) / Double(max(1, $0.cases))) }.joined(separator: " | ")
            return (score, text)
        }
        var best = LocalModel.Weights()
        var (bestScore, bestText) = objective(best)
        print("start: \(String(format: "%.4f", bestScore))  \(bestText)")
        let paths: [(String, WritableKeyPath<LocalModel.Weights, Float>)] = [
            ("topic", \.topic), ("turn", \.turn), ("position", \.position), ("process", \.process), ("document", \.document), ("scenario", \.scenario), ("retrieval", \.retrieval),
        ]
        for round in 1...2 {
            var improved = false
            for (name, path) in paths {
                for factor: Float in [0, 0.5, 0.7, 1.4, 2] {
                    var w = best
                    w[keyPath: path] = best[keyPath: path] * factor + (factor > 1 && best[keyPath: path] == 0 ? 0.1 : 0)
                    let (s, t) = objective(w)
                    if s > bestScore + 0.0005 {
                        (best, bestScore, bestText, improved) = (w, s, t, true)
                        print("round \(round) \(name)=\(w[keyPath: path]): \(String(format: "%.4f", s))  \(t)")
                    }
                }
            }
            for n in [0, 1, 5, 8] {
                var w = best
                w.similarProcesses = n
                let (s, t) = objective(w)
                if s > bestScore + 0.0005 {
                    (best, bestScore, bestText, improved) = (w, s, t, true)
                    print("round \(round) similarProcesses=\(n): \(String(format: "%.4f", s))  \(t)")
                }
            }
            if !improved { break }
        }
        print("best: scenario \(best.scenario) retrieval \(best.retrieval) document \(best.document) topic \(best.topic) turn \(best.turn) position \(best.position) process \(best.process) similarProcesses \(best.similarProcesses)")
        print(bestText)
    }
}
