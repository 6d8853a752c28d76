import FlowCore
import Testing

@Suite struct ValidationTests {
    @Test func cleanFlowHasNoProblems() {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("Customer pays", to: uc)
        flow.addStep("System confirms", to: uc)
        let e = flow.addExtension("Card declined", to: s1)
        flow.addStep("System asks for another card", to: e)
        flow.setEnding(.resume(.step(s1)), of: e)
        #expect(flow.validate().isEmpty)
    }

    @Test func reportsEachKindOfProblem() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("  ", to: uc)
        let s2 = flow.addStep("ok", to: uc)
        let e1a = flow.addExtension("", to: s1, ending: .resume(.unresolved("9")))
        flow.addStep("retry", to: e1a)
        flow.addExtension("nothing happens", to: s2)
        let dup = flow.addUseCase("pay ")
        let other = flow.addUseCase("Other")
        let o1 = flow.addStep("x", to: other)
        let loop = flow.addExtension("loops", to: o1)
        let l1 = flow.addStep("again", to: loop)
        flow.setEnding(.resume(.step(l1)), of: loop)
        let cross = flow.addExtension("jumps to another use case", to: o1)
        flow.addStep("y", to: cross)
        flow.setEnding(.resume(.step(s2)), of: cross)
        let messages = flow.validate().map(\.message)
        #expect(messages.contains("step 1 is empty"))
        #expect(messages.contains("extension 1a has no condition"))
        #expect(messages.contains("extension 1a resumes at step 9, which is not a step of this use case"))
        #expect(messages.contains("extension 2a has no steps and no ending, so it changes nothing"))
        #expect(messages.contains("use case 2 has the same title as use case 1: \"pay \""))
        #expect(messages.contains("use case 2 has no steps"))
        #expect(messages.contains("from step 1a1 the use case can never end: every path loops back"))
        #expect(messages.contains("extension 1b resumes at a step of another use case: set a new ending"))
        var deleted = flow
        _ = try deleted.apply(.remove(l1))
        #expect(deleted.validate().map(\.message).contains("extension 1a resumes at a step that was deleted: set a new ending"))
        #expect(flow.validate().first { $0.node == dup }?.part == .text)
    }

    @Test func destinationsFollowCockburnSemantics() {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("a", to: uc)
        let s2 = flow.addStep("b", to: uc)
        let e2a = flow.addExtension("x", to: s2)          // resumes at the next step: after 2 is success
        let s2a1 = flow.addStep("c", to: e2a)
        let e2a1a = flow.addExtension("y", to: s2a1)      // nested, no ending: after 2a1, which is the exit of 2a
        let e1a = flow.addExtension("z", to: s1, kind: .exception, ending: .failure)
        #expect(flow.destination(after: s1) == .step(s2))
        #expect(flow.destination(after: s2) == .success)
        #expect(flow.exit(of: e2a) == .success)
        #expect(flow.entry(of: e2a1a) == .success)
        #expect(flow.entry(of: e1a) == .failure)
        flow.setEnding(.resume(.step(s1)), of: e2a)
        #expect(flow.entry(of: e2a1a) == .step(s1))
    }
}
