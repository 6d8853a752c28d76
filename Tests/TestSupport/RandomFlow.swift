import FlowCore

/// Random flows for property tests, built in document order so their ids match what the reader
/// hands out.
public enum RandomFlow {
    public static func make(_ rng: inout SeededRandom, maxUseCases: Int = 4, label: (inout SeededRandom) -> String = { Labels.random(&$0) }) -> Flow {
        var flow = Flow(title: label(&rng))
        for _ in 0..<rng.int(0...maxUseCases) {
            var fields: [Field] = []
            for _ in 0..<rng.int(0...3) {
                let name = rng.chance(0.6) ? rng.pick(Field.knownNames) : "Note" + label(&rng)
                fields.append(Field(name, label(&rng)))
            }
            let uc = flow.addUseCase(label(&rng), fields: fields)
            var extensions: [NodeID] = []
            addSteps(&flow, to: uc, depth: 0, rng: &rng, label: label, extensions: &extensions)
            let steps = flow.descendants(of: uc).filter { flow[$0]?.kind == .step }
            for ext in extensions {
                flow.setEnding(randomEnding(&rng, steps: steps), of: ext)
            }
        }
        return flow
    }

    static func addSteps(
        _ flow: inout Flow, to parent: NodeID, depth: Int, rng: inout SeededRandom,
        label: (inout SeededRandom) -> String, extensions: inout [NodeID]
    ) {
        for _ in 0..<rng.int(0...(depth == 0 ? 6 : 3)) {
            let step = flow.addStep(label(&rng), to: parent)
            guard depth < 3 else { continue }
            for _ in 0..<(rng.chance(0.35) ? rng.int(1...2) : 0) {
                let ext = flow.addExtension(label(&rng), to: step, kind: rng.chance(0.3) ? .exception : .alternative)
                extensions.append(ext)
                addSteps(&flow, to: ext, depth: depth + 1, rng: &rng, label: label, extensions: &extensions)
            }
        }
    }

    static func randomEnding(_ rng: inout SeededRandom, steps: [NodeID]) -> Ending {
        switch rng.int(0...5) {
        case 0, 1: return .resumeNext
        case 2: return .success
        case 3: return .failure
        case 4 where !steps.isEmpty: return .resume(.step(rng.pick(steps)))
        default: return .resume(.unresolved(rng.pick(["99", "7z", "later", "12b3"])))
        }
    }

    /// A large, plain flow for benchmarks: `steps` steps across use cases of about 50 steps,
    /// every fifth step with an extension of two steps.
    public static func large(steps: Int) -> Flow {
        var flow = Flow(title: "Benchmark flow")
        var made = 0
        var ucIndex = 0
        while made < steps {
            ucIndex += 1
            let uc = flow.addUseCase("Use case \(ucIndex) 用例", fields: [Field("Primary actor", "Clerk 职员")])
            for i in 1...40 where made < steps {
                let step = flow.addStep("Clerk performs action \(i) and the system records it 系统记录", to: uc)
                made += 1
                if i % 5 == 0, made + 2 <= steps {
                    let ext = flow.addExtension("Condition \(i) fails 条件失败", to: step, kind: .exception)
                    flow.addStep("System shows the error \(i)", to: ext)
                    flow.addStep("Clerk corrects the input", to: ext)
                    flow.setEnding(.resume(.step(step)), of: ext)
                    made += 2
                }
            }
        }
        return flow
    }
}
