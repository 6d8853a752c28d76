import FlowCore
import TestSupport
import Testing

@Suite struct EditTests {
    /// A random edit against the flow: usually valid, sometimes not (which must throw and change nothing).
    static func randomEdit(_ flow: inout Flow, _ rng: inout SeededRandom) -> Edit {
        let all = flow.documentOrder()
        let any = all.isEmpty ? NodeID(999_999) : rng.pick(all)
        let parents: [NodeID?] = [nil] + all.map { Optional($0) }
        switch rng.int(0...8) {
        case 0:
            let parent = rng.pick(parents)
            let kind = parent.flatMap { flow[$0]?.kind }
            let id = flow.makeID()
            let tree: Subtree = switch kind {
            case nil: .useCase(id, Labels.random(&rng))
            case .step?: .extension(id, Labels.random(&rng), kind: .exception, ending: .failure)
            default: .step(id, Labels.random(&rng))
            }
            return .insert(tree, parent: parent, index: rng.int(0...(flow.children(of: parent).count + 1)))
        case 1: return .remove(any)
        case 2:
            let parent = rng.pick(parents)
            return .move(any, parent: parent, index: rng.int(0...flow.children(of: parent).count))
        case 3: return .setText(any, Labels.random(&rng))
        case 4: return .setTitle(Labels.random(&rng))
        case 5: return .setFields(any, [Field("Goal", Labels.random(&rng), separator: rng.pick([": ", "：", ":  "]))])
        case 6: return .setEnding(any, rng.pick([.success, .failure, .resumeNext, .resume(.step(rng.pick(all.isEmpty ? [any] : all)))]))
        case 7: return .setExtensionKind(any, rng.pick(ExtensionKind.allCases))
        default:
            // Re-insert a removed subtree elsewhere: remove, then insert its capture.
            guard let tree = flow.subtree(any) else { return .remove(any) }
            return .insert(tree, parent: flow[any]?.parent, index: 0)
        }
    }

    @Test func everyEditHasAnExactInverse() throws {
        var applied = 0
        var refused = 0
        for seed in 0..<1000 as Range<UInt64> {
            var rng = SeededRandom(seed: seed)
            var flow = RandomFlow.make(&rng)
            for _ in 0..<8 {
                let before = flow
                let edit = Self.randomEdit(&flow, &rng)
                let inverse: Edit
                do {
                    inverse = try flow.apply(edit)
                } catch {
                    refused += 1
                    if flow != before { Issue.record("seed \(seed): refused edit \(edit) changed the flow") }
                    continue
                }
                applied += 1
                var undone = flow
                do {
                    let again = try undone.apply(inverse)
                    if undone != before { Issue.record("seed \(seed): \(edit) then \(inverse) did not restore") }
                    // The inverse of the inverse does the edit again.
                    var redone = undone
                    try redone.apply(again)
                    if redone != flow { Issue.record("seed \(seed): redoing \(edit) differs") }
                } catch {
                    Issue.record("seed \(seed): inverse \(inverse) of \(edit) failed: \(error)")
                    return
                }
            }
        }
        #expect(applied > 3000)
        #expect(refused > 100)
    }

    @Test func transactionsAreAllOrNothing() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("one", to: uc)
        let before = flow
        let bad = Transaction("Broken", [.setText(s1, "changed"), .remove(NodeID(4242))])
        #expect(throws: EditError.missingNode(NodeID(4242))) { try flow.apply(bad) }
        #expect(flow == before)
    }

    @Test func transactionInverseRestores() throws {
        for seed in 0..<1000 as Range<UInt64> {
            var rng = SeededRandom(seed: seed &+ 77)
            var flow = RandomFlow.make(&rng)
            let before = flow
            var edits: [Edit] = []
            var scratch = flow
            for _ in 0..<5 {
                let e = Self.randomEdit(&scratch, &rng)
                if (try? scratch.apply(e)) != nil { edits.append(e) }
            }
            flow.nextIDForTests(after: scratch)
            let inverse = try flow.apply(Transaction("t", edits))
            if flow != scratch { Issue.record("seed \(seed): transaction differs from its edits one by one") }
            try flow.apply(inverse)
            if flow != before { Issue.record("seed \(seed): transaction inverse did not restore") }
        }
    }

    @Test func movesCheckKindsAndCycles() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("one", to: uc)
        let e1a = flow.addExtension("bad", to: s1)
        let s1a1 = flow.addStep("fix", to: e1a)
        #expect(throws: EditError.moveIntoItself(s1)) { try flow.apply(.move(s1, parent: e1a, index: 0)) }
        #expect(throws: EditError.wrongParent(child: .extension, parent: .useCase)) {
            try flow.apply(.move(e1a, parent: uc, index: 0))
        }
        // A step of an extension can become a main step (Shift-Tab in the editor) and back.
        let inverse = try flow.apply(.move(s1a1, parent: uc, index: 1))
        #expect(flow.number(of: s1a1) == "2")
        try flow.apply(inverse)
        #expect(flow.number(of: s1a1) == "1a1")
    }

    @Test func pastedCopiesGetFreshIDsAndKeepInnerTargets() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("one", to: uc)
        let e1a = flow.addExtension("bad", to: s1)
        let s1a1 = flow.addStep("fix", to: e1a)
        let e1a1a = flow.addExtension("again", to: s1a1, ending: .resume(.step(s1a1)))
        _ = e1a1a
        guard let tree = flow.subtree(s1) else { Issue.record("no subtree"); return }
        let copy = flow.cloneWithFreshIDs(tree)
        #expect(Set(copy.allIDs).isDisjoint(with: Set(tree.allIDs)))
        try flow.apply(.insert(copy, parent: uc, index: 1))
        let pastedExt = flow.node(numbered: "2a1a", in: uc)
        let pastedStep = flow.node(numbered: "2a1", in: uc)
        #expect(pastedExt.flatMap { flow[$0]?.ending } == .resume(.step(pastedStep ?? NodeID(0))))
    }
}

extension Flow {
    /// Test helper: make this flow's id counter at least the other's, so ids made while building a
    /// transaction on a scratch copy are free here too.
    mutating func nextIDForTests(after other: Flow) {
        while makeID().raw + 1 < (other.documentOrder().map(\.raw).max() ?? 0) + 1 {}
    }
}
